# hyperv/: filled in by its owner
