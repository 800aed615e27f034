# firmware/: filled in by its owner
