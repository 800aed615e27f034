# ui/: filled in by its owner
