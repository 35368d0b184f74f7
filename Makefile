# sqlflow_export: SQLFlow data lineage from SQL
MODULE_big = sqlflow_export
OBJS = \
	sqlflow_export.o \
	src/api.o \
	src/config.o \
	src/csv.o \
	src/depsort.o \
	src/encoding.o \
	src/envelope.o \
	src/errors.o \
	src/exports.o \
	src/guard.o \
	src/http.o \
	src/jobs.o \
	src/jsonb_io.o \
	src/jsonb_stream.o \
	src/jsonb_writer.o \
	src/jsonc.o \
	src/jsonstream.o \
	src/lineage.o \
	src/lineage_record.o \
	src/mcxt_alloc.o \
	src/names.o \
	src/openlineage.o \
	src/openlineage_events.o \
	src/openlineage_rows.o \
	src/openlineage_write.o \
	src/options.o \
	src/pictures.o \
	src/relationships.o \
	src/relationships_dbobjs.o \
	src/relationships_rows.o \
	src/scrub.o \
	src/sniff.o \
	src/stream_in.o \
	src/subxact.o \
	src/token.o \
	src/trace.o \
	src/trace_index.o \
	src/trace_source.o \
	src/wait.o

EXTENSION = sqlflow_export
DATA = sqlflow_export--1.0.sql sqlflow_export--1.0--1.1.sql sqlflow_export--1.1--1.2.sql sqlflow_export--1.2--1.3.sql sqlflow_export--1.3--1.4.sql sqlflow_export--1.4.sql
PGFILEDESC = "sqlflow_export - SQLFlow data lineage from SQL"

# the version in user-visible strings (the User-Agent) is the control
# file's default_version, read here and nowhere else
SQLFLOW_EXPORT_VERSION = $(shell sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(srcdir)/sqlflow_export.control)
PG_CPPFLAGS = -I$(srcdir)/src -DSQLFLOW_EXPORT_VERSION='"$(SQLFLOW_EXPORT_VERSION)"'
SHLIB_LINK = -lcurl -ljson-c

# the suites need the loopback SQLFlow server: run them through test/run
REGRESS = setup export jsonb errors lineage relationships options traces traces_names traces_readonly traces_property traces_session traces_index pictures pictures_same guard jobs jobstate encoding upgrade cron security secrets transport transport_dns loose database_sql search_path standby openlineage
REGRESS_OPTS = --inputdir=$(srcdir)

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on the project's headers (PGXS tracks none by default)
$(OBJS): $(wildcard $(srcdir)/src/*.h)
# and the objects that name the version, on the control file
src/http.o: $(srcdir)/sqlflow_export.control
