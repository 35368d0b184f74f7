/*-------------------------------------------------------------------------
 *
 * config.h
 *	  Run-time settings (GUCs) of sqlflow_export.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SQLFLOW_CONFIG_H
#define SQLFLOW_CONFIG_H

/* name of the foreign server used when a function gets server => NULL */
extern char *sqlflow_default_server;

/* whole-request timeout, seconds (0 = none) */
extern int	sqlflow_timeout;

/* connection set-up timeout, seconds (0 = libcurl's default) */
extern int	sqlflow_connect_timeout;

/* largest answer body accepted, kilobytes */
extern int	sqlflow_max_response_size;

/* idle connections older than this many seconds are not reused */
extern int	sqlflow_keepalive_idle;

/* the lineage guard: off, warn or error; the lineage table; how deep */
typedef enum SqlflowGuardMode
{
	SQLFLOW_GUARD_OFF,
	SQLFLOW_GUARD_WARN,
	SQLFLOW_GUARD_ERROR
} SqlflowGuardMode;

extern int	sqlflow_guard;
extern char *sqlflow_guard_lineage;
extern int	sqlflow_guard_depth;

/* memory a session keeps between traces, kilobytes (0 = none) */
extern int	sqlflow_trace_kept_memory;

extern void sqlflow_define_gucs(void);

#endif							/* SQLFLOW_CONFIG_H */
