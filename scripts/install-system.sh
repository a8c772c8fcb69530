#!/usr/bin/env bash
# Installs the system pieces the PDF stage needs: LibreOffice Writer (and Calc, which reads the
# .xls/.et a unit returns) with its UNO bridge for
# Debian's python3, the open fonts mapped by styles/fonts.conf, and poppler-utils.
# Idempotent and quiet when everything is present. Without root it only explains what to run:
# the .docx build works without any of this, so it always exits 0 in that case.
set -euo pipefail

PACKAGES=(libreoffice-writer libreoffice-calc python3-uno fonts-noto-cjk fonts-liberation2 fontconfig poppler-utils)
FANDOL_DIR=/usr/local/share/fonts/fandol
# The four Fandol families the fonts.conf maps; their presence means the Fandol step is done.
FANDOL_FILES=(FandolFang-Regular.otf FandolHei-Regular.otf FandolKai-Regular.otf FandolSong-Regular.otf)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    # dpkg-query prints "install ok installed" only for a fully installed package.
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
      echo "$p"
    fi
  done
}

fandol_missing() {
  local f
  for f in "${FANDOL_FILES[@]}"; do
    [ -f "$FANDOL_DIR/$f" ] || return 0
  done
  return 1
}

quietly() {
  # apt prints progress and debconf notes even with -qq; show its output only when it fails.
  local out
  if ! out="$("$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    return 1
  fi
}

apt_lists_present() {
  # apt-get update is only needed when no package lists have ever been fetched.
  compgen -G "/var/lib/apt/lists/*_Packages" >/dev/null
}

ensure_apt_lists() {
  if ! apt_lists_present; then
    quietly apt-get update
  fi
}

apt_install() {
  # A stale list can name a version that is gone; one update and retry covers that.
  if ! quietly env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; then
    quietly apt-get update
    quietly env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
  fi
}

TMP_DIR=""
trap '[ -z "$TMP_DIR" ] || rm -rf "$TMP_DIR"' EXIT

install_fandol() {
  local tmp
  TMP_DIR="$(mktemp -d)"
  tmp="$TMP_DIR"
  # Only the package file is fetched: installing texlive-lang-chinese would pull in TeX.
  if ! (cd "$tmp" && apt-get download -qq texlive-lang-chinese >/dev/null 2>&1); then
    quietly apt-get update
    (cd "$tmp" && quietly apt-get download texlive-lang-chinese)
  fi
  dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/root"
  mkdir -p "$FANDOL_DIR"
  find "$tmp/root" -type f -iname 'Fandol*.otf' ! -iname 'FandolBraille*' -exec install -m 0644 {} "$FANDOL_DIR/" \;
  fc-cache -f "$FANDOL_DIR" >/dev/null
}

mapfile -t MISSING < <(missing_packages)
NEED_FANDOL=0
fandol_missing && NEED_FANDOL=1

if [ "${#MISSING[@]}" -eq 0 ] && [ "$NEED_FANDOL" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "生成 PDF 所需的系统组件尚未齐全（不影响生成 .docx）："
  if [ "${#MISSING[@]}" -gt 0 ]; then
    echo "  缺少软件包：${MISSING[*]}"
  fi
  if [ "$NEED_FANDOL" -eq 1 ]; then
    echo "  缺少 Fandol 字体（仿宋、黑体、楷体、宋体的开源替代），应位于 $FANDOL_DIR"
  fi
  echo "请以 root 身份运行本脚本：sudo bash $0"
  echo "或手动执行以下命令："
  if [ "${#MISSING[@]}" -gt 0 ]; then
    echo "  sudo apt-get update"
    echo "  sudo apt-get install -y --no-install-recommends ${MISSING[*]}"
  fi
  if [ "$NEED_FANDOL" -eq 1 ]; then
    echo "  d=\$(mktemp -d) && (cd \$d && apt-get download texlive-lang-chinese)"
    echo "  dpkg-deb -x \$d/texlive-lang-chinese_*.deb \$d/root"
    echo "  sudo mkdir -p $FANDOL_DIR"
    echo "  sudo find \$d/root -iname 'Fandol*.otf' ! -iname 'FandolBraille*' -exec cp {} $FANDOL_DIR/ \\;"
    echo "  sudo fc-cache -f $FANDOL_DIR && rm -rf \$d"
  fi
  exit 0
fi

if [ "${#MISSING[@]}" -gt 0 ]; then
  echo "正在安装：${MISSING[*]}"
  ensure_apt_lists
  apt_install "${MISSING[@]}"
fi
if [ "$NEED_FANDOL" -eq 1 ]; then
  echo "正在安装 Fandol 字体到 $FANDOL_DIR"
  ensure_apt_lists
  install_fandol
fi
echo "PDF 所需的系统组件已安装完毕。"
