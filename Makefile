# sqlflow_export: SQLFlow data lineage from SQL
MODULE_big = sqlflow_export
OBJS = \
	sqlflow_export.o \
	src/api.o \
	src/config.o \
	src/csv.o \
	src/encoding.o \
	src/envelope.o \
	src/http.o \
	src/jsonb_io.o \
	src/jsonb_stream.o \
	src/jsonb_writer.o \
	src/jsonc.o \
	src/jsonstream.o \
	src/lineage.o \
	src/mcxt_alloc.o \
	src/openlineage.o \
	src/options.o \
	src/relationships.o

EXTENSION = sqlflow_export
DATA = sqlflow_export--1.0.sql sqlflow_export--1.0--1.1.sql sqlflow_export--1.1--1.2.sql sqlflow_export--1.2--1.3.sql sqlflow_export--1.3.sql
PGFILEDESC = "sqlflow_export - SQLFlow data lineage from SQL"

PG_CPPFLAGS = -I$(srcdir)/src
SHLIB_LINK = -lcurl -ljson-c

# the suites need the loopback SQLFlow server: run them through test/run
REGRESS = setup export jsonb errors lineage relationships options traces pictures jobs jobstate encoding upgrade cron security transport transport_dns openlineage
REGRESS_OPTS = --inputdir=$(srcdir)

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on the project's headers (PGXS tracks none by default)
$(OBJS): $(wildcard $(srcdir)/src/*.h)
