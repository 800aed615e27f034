# timers/: filled in by its owner
