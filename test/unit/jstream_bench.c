/*
 * jstream_bench: throughput of the incremental JSON reader on a compact
 * document of many small objects (about 100 MB), fed in 64 kB chunks and
 * in one piece.  Prints MB/s; not part of "make check".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonstream.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
run(const char *in, size_t len, size_t chunk, long *events)
{
	JStreamReader *r = jstream_reader_create(NULL);
	JStreamEvent ev;
	JStreamResult res = JS_NEED_MORE;
	double		t0 = now();

	*events = 0;
	for (size_t off = 0; off < len; off += chunk)
	{
		jstream_reader_feed(r, in + off, len - off < chunk ? len - off : chunk);
		while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
			(*events)++;
	}
	jstream_reader_finish(r);
	while ((res = jstream_reader_next(r, &ev)) == JS_EVENT)
		(*events)++;
	if (res != JS_EOF)
	{
		fprintf(stderr, "error at %llu: %s\n", jstream_reader_error_offset(r),
				jstream_reader_error(r));
		exit(1);
	}
	jstream_reader_destroy(r);
	return now() - t0;
}

int
main(int argc, char **argv)
{
	size_t		target = (argc > 1 ? (size_t) atol(argv[1]) : 100) * 1024 * 1024;
	char	   *in = malloc(target + 4096);
	size_t		len = 0;
	long		events;
	double		t;

	in[len++] = '[';
	for (long i = 0; len < target; i++)
		len += sprintf(in + len,
					   "{\"id\":%ld,\"name\":\"t%ld\",\"type\":\"table\",\"db\":\"DW\","
					   "\"cols\":[{\"n\":\"c1\",\"pos\":[1,2.5e3]},{\"n\":\"c2\",\"ok\":true,\"x\":null}]},",
					   i, i % 1000);
	in[len - 1] = ']';

	for (int pass = 0; pass < 2; pass++)
	{
		t = run(in, len, 65536, &events);
		printf("64 kB chunks: %.1f MB in %.3f s = %.0f MB/s, %ld events (%.0f M events/s)\n",
			   len / 1048576.0, t, len / 1048576.0 / t, events, events / t / 1e6);
		t = run(in, len, len, &events);
		printf("one chunk:    %.1f MB in %.3f s = %.0f MB/s, %ld events\n",
			   len / 1048576.0, t, len / 1048576.0 / t, events);
	}
	free(in);
	return 0;
}
