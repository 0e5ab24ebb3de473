"""The vendor-free half of the sandbox: an HTTP/1.1 server with fault machinery, rate windows,
a request log and the generic `/_sandbox/` hooks, for any vendor's emulator to build on.

Nothing here names a vendor; each emulator (`sandbox/<vendor>/`) brings its own routes, auth
rules, data and hooks. Modules: `http` (the server), `app` (the request pipeline an emulator
subclasses), `faults` + `config` (misbehaviour on command), `ratelimit` (fixed windows),
`params` (query and body reading, redaction), `hooks` (the generic test hooks), `server` +
`runner` (thread / subprocess / foreground), `handle` (the test handle base), `emulator` (what
an emulator package hands the registry), `shape` (how seeded task data is shaped: per-kind
completion times and skip rates, owner skew, weekday rhythm, backlog).
"""
