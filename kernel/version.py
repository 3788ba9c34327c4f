"""The distribution version: upstream's plugin API level plus our kernel release."""
__version__ = "1.0a19+kernel.1"
__version_info__ = tuple(__version__.split("+")[0].replace("a", ".a").split("."))
