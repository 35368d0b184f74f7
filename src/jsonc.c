/*-------------------------------------------------------------------------
 *
 * jsonc.c
 *	  Reading small SQLFlow answers with json-c.
 *
 * Used for small answers that are only looked into, never handed to the
 * caller: the token exchange (the token and its JWT expiry), the envelope
 * of an error that arrives instead of a CSV or GraphML export, and values
 * picked from job answers (a submitted job's id, a job's status and error
 * message, a job in the job list, a deleted job's status).  What is handed
 * back as jsonb or text is read elsewhere, once: the JSON export as jsonb
 * or as relationship rows while it streams in (stream_in.c, into
 * jsonb_stream.c and relationships.c), the JSON export as text and the
 * small answers returned as jsonb (a job, the job list, the lineage of one
 * SQL text) with PostgreSQL's own parser (jsonb_io.c).
 *
 * A json-c object is freed on every path: palloc may raise an error while
 * one is alive, so each function releases it in PG_FINALLY.
 *
 * What it must not do: let json-c reach any other file (no json_* names of
 * ours, no json-c type in jsonc.h), build jsonb, or read a streamed export.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include <json-c/json.h>

#include "jsonc.h"

/* parse a whole buffer; NULL unless it is exactly one JSON value */
static struct json_object *
sqlflow_jsonc_parse(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t		end;

	if (len > INT_MAX)
		return NULL;
	tok = json_tokener_new();
	if (tok == NULL)
		return NULL;
	obj = json_tokener_parse_ex(tok, body, (int) len);
	if (obj != NULL && json_tokener_get_error(tok) != json_tokener_success)
	{
		json_object_put(obj);
		obj = NULL;
	}
	if (obj != NULL)
	{
		/* trailing garbage after the value makes the answer invalid */
		end = json_tokener_get_parse_end(tok);
		while (end < len && (body[end] == ' ' || body[end] == '\n' ||
							 body[end] == '\r' || body[end] == '\t'))
			end++;
		if (end != len)
		{
			json_object_put(obj);
			obj = NULL;
		}
	}
	json_tokener_free(tok);
	return obj;
}

/* an integer from a number or a numeric string, as "code" comes in both */
static bool
sqlflow_jsonc_int(struct json_object *val, int *out)
{
	if (json_object_is_type(val, json_type_int))
	{
		int64_t		v = json_object_get_int64(val);

		if (v < INT_MIN || v > INT_MAX)
			return false;
		*out = (int) v;
		return true;
	}
	if (json_object_is_type(val, json_type_string))
	{
		const char *s = json_object_get_string(val);
		char	   *endp;
		long		v;

		errno = 0;
		v = strtol(s, &endp, 10);
		if (errno != 0 || endp == s || *endp != '\0' || v < INT_MIN || v > INT_MAX)
			return false;
		*out = (int) v;
		return true;
	}
	return false;
}

static char *
sqlflow_jsonc_text(struct json_object *val)
{
	if (val == NULL || json_object_is_type(val, json_type_null))
		return NULL;
	if (json_object_is_type(val, json_type_string))
		return pnstrdup(json_object_get_string(val),
						json_object_get_string_len(val));
	if (json_object_is_type(val, json_type_object) ||
		json_object_is_type(val, json_type_array))
		return NULL;
	/* numbers and booleans in their JSON spelling */
	return pstrdup(json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
}

bool
sqlflow_jsonc_envelope(const char *body, size_t len, SqlflowEnvelope *env)
{
	struct json_object *volatile obj;
	bool		ok = false;

	memset(env, 0, sizeof(SqlflowEnvelope));
	obj = sqlflow_jsonc_parse(body, len);
	if (obj == NULL)
		return false;

	PG_TRY();
	{
		struct json_object *val;

		if (json_object_is_type(obj, json_type_object))
		{
			ok = true;
			if (json_object_object_get_ex(obj, "code", &val))
				env->has_code = sqlflow_jsonc_int(val, &env->code);
			if (json_object_object_get_ex(obj, "error", &val))
				env->error = sqlflow_jsonc_text(val);
		}
	}
	PG_FINALLY();
	{
		json_object_put(obj);
	}
	PG_END_TRY();
	return ok;
}

char *
sqlflow_jsonc_string(const char *body, size_t len, const char *path)
{
	struct json_object *volatile obj;
	char	   *result = NULL;

	obj = sqlflow_jsonc_parse(body, len);
	if (obj == NULL)
		return NULL;

	PG_TRY();
	{
		struct json_object *cur = obj;
		char	   *copy = pstrdup(path);
		char	   *key;
		char	   *save = NULL;

		for (key = strtok_r(copy, ".", &save); key && cur;
			 key = strtok_r(NULL, ".", &save))
		{
			struct json_object *next;

			if (!json_object_is_type(cur, json_type_object) ||
				!json_object_object_get_ex(cur, key, &next))
				cur = NULL;
			else
				cur = next;
		}
		if (cur)
			result = sqlflow_jsonc_text(cur);
		pfree(copy);
	}
	PG_FINALLY();
	{
		json_object_put(obj);
	}
	PG_END_TRY();
	return result;
}

/* the member "key" of obj if obj is an object, else NULL */
static struct json_object *
sqlflow_jsonc_member(struct json_object *obj, const char *key)
{
	struct json_object *val;

	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
		!json_object_object_get_ex(obj, key, &val))
		return NULL;
	return val;
}

bool
sqlflow_jsonc_find_job(const char *body, size_t len, const char *job_id,
					   char **status, char **error_message)
{
	struct json_object *volatile obj;
	bool		found = false;

	*status = NULL;
	*error_message = NULL;
	obj = sqlflow_jsonc_parse(body, len);
	if (obj == NULL)
		return false;

	PG_TRY();
	{
		struct json_object *data = sqlflow_jsonc_member(obj, "data");
		struct json_object *list = sqlflow_jsonc_member(data, "jobDetails");
		struct json_object *ids = sqlflow_jsonc_member(data, "jobIds");

		if (list && json_object_is_type(list, json_type_array))
		{
			size_t		n = json_object_array_length(list);

			for (size_t i = 0; i < n && !found; i++)
			{
				struct json_object *job = json_object_array_get_idx(list, i);
				struct json_object *id = sqlflow_jsonc_member(job, "jobId");

				if (id && json_object_is_type(id, json_type_string) &&
					strcmp(json_object_get_string(id), job_id) == 0)
				{
					found = true;
					*status = sqlflow_jsonc_text(sqlflow_jsonc_member(job, "status"));
					*error_message = sqlflow_jsonc_text(sqlflow_jsonc_member(job, "errorMessage"));
				}
			}
		}
		if (!found && ids && json_object_is_type(ids, json_type_array))
		{
			size_t		n = json_object_array_length(ids);

			for (size_t i = 0; i < n && !found; i++)
			{
				struct json_object *id = json_object_array_get_idx(ids, i);

				if (id && json_object_is_type(id, json_type_string) &&
					strcmp(json_object_get_string(id), job_id) == 0)
					found = true;
			}
		}
	}
	PG_FINALLY();
	{
		json_object_put(obj);
	}
	PG_END_TRY();
	return found;
}

/* base64url without padding, as JWT segments are encoded */
static char *
sqlflow_base64url_decode(const char *in, size_t len, size_t *outlen)
{
	char	   *out = palloc(len * 3 / 4 + 4);
	uint32		acc = 0;
	int			bits = 0;
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = in[i];
		int			v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-' || c == '+')
			v = 62;
		else if (c == '_' || c == '/')
			v = 63;
		else if (c == '=')
			break;
		else
		{
			pfree(out);
			return NULL;
		}
		acc = (acc << 6) | (uint32) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out[n++] = (char) ((acc >> bits) & 0xFF);
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

bool
sqlflow_jsonc_jwt_expiry(const char *token, int64 *exp)
{
	const char *dot1 = strchr(token, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	char	   *payload;
	size_t		plen;
	char	   *value;
	char	   *endp;

	if (dot2 == NULL)
		return false;
	payload = sqlflow_base64url_decode(dot1 + 1, dot2 - dot1 - 1, &plen);
	if (payload == NULL)
		return false;
	value = sqlflow_jsonc_string(payload, plen, "exp");
	pfree(payload);
	if (value == NULL)
		return false;
	errno = 0;
	*exp = strtoll(value, &endp, 10);
	if (errno != 0 || endp == value || (*endp != '\0' && *endp != '.'))
		return false;
	return true;
}
