# The two commands (see README.md). Everything else lives in scripts/.
.PHONY: dev test
dev:
	bash scripts/dev.sh
test:
	bash scripts/test.sh
