"""A fictional organisation (Contoso) and the builder of its repositories and exports."""
