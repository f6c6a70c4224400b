"""Fault rules: which request gets which misbehaviour (see README.md, "Fault injection")."""
import threading

KINDS = ("429", "500", "503", "403", "reset", "truncate", "slow", "expire-token", "nextlink-loop", "content-type",
         "lenient-json")
LIST_OPERATIONS = ("subscriptions", "vaults", "virtualMachines", "backupPolicies", "backupProtectedItems",
                   "backupResourceGuardProxies", "backupEngines", "deletedVaults", "roleAssignments",
                   "backupJobs")


def validate(rules):
    """Raises ValueError naming the first bad rule; returns the rules as a list of dicts."""
    if not isinstance(rules, list):
        raise ValueError("faults must be a JSON list of rules")
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise ValueError("faults[%d]: a rule must be an object" % i)
        if str(rule.get("kind")) not in KINDS:
            raise ValueError("faults[%d].kind: expected one of %s" % (i, ", ".join(KINDS)))
        if not isinstance(rule.get("operation"), str):
            raise ValueError("faults[%d].operation: expected an operation name or '*'" % i)
        for key in ("times", "after", "delay_ms"):
            if key in rule and (not isinstance(rule[key], int) or isinstance(rule[key], bool)):
                raise ValueError("faults[%d].%s: expected an integer" % (i, key))
        if "match" in rule and not isinstance(rule["match"], str):
            raise ValueError("faults[%d].match: expected a string" % i)
        if "retry_after" in rule and not isinstance(rule["retry_after"], str):
            raise ValueError("faults[%d].retry_after: expected a string (seconds or an HTTP-date)" % i)
    return [dict(r, kind=str(r["kind"])) for r in rules]


class Faults:
    """The current rule list and how often each rule has matched and fired (thread-safe)."""

    def __init__(self, rules=None):
        self._lock = threading.Lock()
        self.fired = 0
        self._rules = []
        self.replace(rules or [])

    def replace(self, rules):
        rules = validate(rules)
        with self._lock:
            self._rules = [{"rule": r, "seen": 0, "fired": 0} for r in rules]

    def pick(self, operation, path):
        """The rule to apply to this request (at most one: the first that fires), or None.

        operation is an ARM operation name, or "token" / "imds" for the identity endpoints
        ('*' matches ARM operations only, so token faults are always asked for by name).
        """
        with self._lock:
            for state in self._rules:
                rule = state["rule"]
                op = rule["operation"]
                if op == "*":
                    if operation in ("token", "imds"):
                        continue
                elif op.lower() != operation.lower():
                    continue
                if rule.get("match") and rule["match"].lower() not in path.lower():
                    continue
                if rule["kind"] == "nextlink-loop" and operation not in LIST_OPERATIONS:
                    continue
                state["seen"] += 1
                if state["seen"] <= rule.get("after", 0):
                    continue
                times = rule.get("times", 1)
                if times != -1 and state["fired"] >= times:
                    continue
                state["fired"] += 1
                self.fired += 1
                return rule
        return None
