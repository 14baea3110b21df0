import sys

from mosaics.cli import main

sys.exit(main())
