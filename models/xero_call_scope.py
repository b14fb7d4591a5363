"""What lasts one call of the sender (:func:`call_scope`, opened by ``xero.job._xero_send_batch``).

- **Log notes written together.** Each record Xero accepted gets a log note ("Invoice INV-0042 sent to Xero").
  Written one by one, that is an INSERT per record. Inside a scope, :func:`xero_log` notes the body, and the
  scope writes all its notes at its end with ``mail.thread._message_log_batch`` (what ``_message_log`` calls for
  one record): one INSERT per model and environment (author). Outside a scope, :func:`xero_log` writes the note
  at once.
- **A memo for the handlers** (:func:`call_memo`): what the elements of one call share is read once (the
  customers' known Xero contacts brought up to date, for instance). Outside a scope, an empty memo each time.

Leaving a scope by an exception writes nothing (the caller's transaction or savepoint is rolled back with what
the notes told of). A scope opened inside another is the outer one.
"""
import weakref
from contextlib import contextmanager

# cursor → its active scope. Not the cursor's cache: the sender commits inside a call (its jobs marked sending),
# and a commit clears that cache.
_SCOPES = weakref.WeakKeyDictionary()


class CallScope:
    def __init__(self):
        self.notes = {}  # (model, env) -> [{record id: body}, …]: one dict per round (a record noted twice)
        self.memo = {}


def xero_log(record, body):
    """A log note on ``record`` (one record of a mail.thread model): now, or at the end of the active scope."""
    record.ensure_one()
    scope = _SCOPES.get(record.env.cr)
    if scope is None:
        record._message_log(body=body)
        return
    rounds = scope.notes.setdefault((record._name, record.env), [])
    for bodies in rounds:  # a record noted twice gets its notes in order, one per round
        if record.id not in bodies:
            bodies[record.id] = body
            return
    rounds.append({record.id: body})


def call_memo(env):
    """The active scope's memo (a dict), or an empty one when no scope is active."""
    scope = _SCOPES.get(env.cr)
    return scope.memo if scope is not None else {}


@contextmanager
def call_scope(env):
    """The scope of one call (see the module's docstring)."""
    cr = env.cr
    if cr in _SCOPES:
        yield _SCOPES[cr]
        return
    scope = _SCOPES[cr] = CallScope()
    try:
        yield scope
    finally:
        _SCOPES.pop(cr, None)
    for (model, record_env), rounds in scope.notes.items():
        for bodies in rounds:
            record_env[model].browse(list(bodies))._message_log_batch(bodies=bodies)
