"""Fleets of NSO nodes: per-node facts for cross-node rules, and merging per-node reports.

May import the core, `facts` and `checks` (the cross-node rules live in
checks/fleet.py); `cli` and `nso` use it.

Each node is audited where it runs (or from its files, `audit --node`); its report
carries a NodeInfo: the node's name, its HA cluster, its keys file's fingerprint
and the ncs.conf settings the rules read, never a key. `merge()` combines such
reports into one: every rule's verdict per node, and the cross-node rules run over
the NodeInfos, so the same rules answer whether the files or only the reports came
together.
"""
