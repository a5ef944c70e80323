"""Where people are: location evidence from every source, and its resolution."""
