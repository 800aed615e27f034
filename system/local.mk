# system/: filled in by its owner
