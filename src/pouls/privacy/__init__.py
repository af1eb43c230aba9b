"""Personal data under control: pseudonymisation, retention, export and erasure; a stage, not scattered ifs."""
