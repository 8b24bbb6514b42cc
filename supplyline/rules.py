from transforms.rules import *  # noqa: F401,F403  (moved: transforms import nothing from supplyline)
