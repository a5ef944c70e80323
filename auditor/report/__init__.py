"""Report: waivers, baseline, the check formats, the people report."""
