"""The configuration file's default name, apart from the models in `auditor.kernel.config`
so that the command line can declare its `--config` option without importing pydantic."""

DEFAULT_CONFIG_NAME = "auditor.toml"
