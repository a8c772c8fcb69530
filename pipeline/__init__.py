"""Document-assembly pipeline for Chinese government plan texts."""
