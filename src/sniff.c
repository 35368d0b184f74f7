/*-------------------------------------------------------------------------
 *
 * sniff.c
 *	  Which kind of answer came to a document export: the document (CSV),
 *	  or the JSON error envelope SQLFlow sends instead, still with HTTP 200.
 *
 * The sniffer looks at the first significant byte: "{" means an envelope,
 * kept whole in a small buffer for exports.c to read; anything else is the
 * document and goes straight through to the inner sink.
 *
 * What it must not do: raise an error in write() (it runs inside
 * libcurl's callback), read the envelope (exports.c does), or look at the
 * document beyond its first significant byte.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "sniff.h"

static bool
sniff_write(HttpSink *sink, const char *data, size_t len)
{
	SniffSink  *ss = (SniffSink *) sink;
	HttpSink   *target;
	size_t		i = 0;

	if (ss->state == SNIFF_UNDECIDED)
	{
		/* hold back the BOM and white space until the first real byte */
		while (i < len && ss->prefix_len < SNIFF_PREFIX_MAX &&
			   ((unsigned char) data[i] >= 0x80 || isspace((unsigned char) data[i])))
			ss->prefix[ss->prefix_len++] = data[i++];
		if (i == len && ss->prefix_len < SNIFF_PREFIX_MAX)
			return true;
		ss->state = (i < len && data[i] == '{') ? SNIFF_ENVELOPE : SNIFF_DOCUMENT;
		target = (ss->state == SNIFF_ENVELOPE) ? &ss->envelope.sink : ss->inner;
		if (!target->write(target, ss->prefix, ss->prefix_len))
			goto refused;
	}
	if (ss->state == SNIFF_ENVELOPE)
	{
		if (ss->envelope.len + (len - i) > SNIFF_ENVELOPE_MAX)
		{
			sink->refused = "An answer over 1 MB that starts like a JSON error envelope arrived instead of the export.";
			sink->refused_code = ERRCODE_PROTOCOL_VIOLATION;
			return false;
		}
		if (!ss->envelope.sink.write(&ss->envelope.sink, data + i, len - i))
			goto refused;
		return true;
	}
	if (!ss->inner->write(ss->inner, data + i, len - i))
		goto refused;
	return true;

refused:
	sink->refused = ss->inner->refused;
	sink->refused_code = ss->inner->refused_code;
	return false;
}

static void
sniff_drain(HttpSink *sink, bool finished)
{
	SniffSink  *ss = (SniffSink *) sink;

	if (finished && ss->state == SNIFF_UNDECIDED && ss->prefix_len > 0)
	{
		/* nothing but white space: let the document sink judge it */
		ss->state = SNIFF_DOCUMENT;
		if (!ss->inner->write(ss->inner, ss->prefix, ss->prefix_len))
			ereport(ERROR,
					(errcode(ss->inner->refused_code ? ss->inner->refused_code : ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not store the answer"),
					 ss->inner->refused ? errdetail("%s", ss->inner->refused) : 0));
	}
	if (ss->state == SNIFF_DOCUMENT || (finished && ss->state == SNIFF_UNDECIDED))
		ss->inner->drain(ss->inner, finished);
	else if (ss->state == SNIFF_ENVELOPE)
		ss->envelope.sink.drain(&ss->envelope.sink, finished);
}

static void
sniff_reset(HttpSink *sink)
{
	SniffSink  *ss = (SniffSink *) sink;

	ss->state = SNIFF_UNDECIDED;
	ss->prefix_len = 0;
	ss->envelope.sink.reset(&ss->envelope.sink);
	ss->inner->reset(ss->inner);
}

void
sniff_init(SniffSink *ss, HttpSink *inner)
{
	memset(ss, 0, sizeof(SniffSink));
	ss->sink.write = sniff_write;
	ss->sink.drain = sniff_drain;
	ss->sink.reset = sniff_reset;
	ss->sink.streaming = inner->streaming;
	ss->inner = inner;
	http_buffer_init(&ss->envelope);
}
