"""What every capability stands on: time, errors, ids, names, settings, logging."""
