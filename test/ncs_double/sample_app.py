"""A tiny package application used by the double's own tests (and as an example).

It is written only against the documented NSO API, like secure_deploy/nso/ will be.
Importable only while the double is installed.
"""
import ncs
import _ncs
from ncs.dp import Action

STARTS = []   # module state: lost when the VM restarts and the module is re-imported


class HardenPlan(Action):
    @Action.action
    def cb_action(self, uinfo, name, kp, input, output, trans):
        root = ncs.maagic.get_root(trans)
        run_id = root.secure_deploy.last_run.run_id
        if run_id is None:
            _ncs.dp.action_seterr(uinfo, "no audit has run yet")
            return ncs.CONFD_ERR
        output.plan = f"plan for {run_id} by {uinfo.username} at {kp} ({name})"


class Rotate(Action):
    @Action.action
    def cb_action(self, uinfo, name, kp, input, output, trans):
        _ncs.dp.action_set_timeout(uinfo, 600)
        with ncs.maapi.single_write_trans(uinfo.username, "system", db=ncs.OPERATIONAL) as t:
            kr = ncs.maagic.get_root(t).secure_deploy.key_rotation
            kr.state = "applying"
            kr.rotation_id = "rot-1"
            kr.to_generation = 1
            t.apply()
        with ncs.maapi.Maapi() as m, ncs.maapi.Session(m, uinfo.username, uinfo.context):
            root = ncs.maagic.get_root(m)
            action = root.key_rotation.apply_new_keys
            inp = action.get_input()
            inp.new_key_generation = 1
            inp.wait_commit_queue = input.wait_commit_queue
            out = action(inp)
        output.result = bool(out.result)
        output.new_generation = out.new_active_key_generation
        if input.dry_run:
            raise ValueError("dry-run makes this sample fail on purpose")


class Main(ncs.application.Application):
    def setup(self):
        STARTS.append(1)
        self.log.info("sample app setup, start #", len(STARTS))
        self.register_action("secure-deploy-harden-plan", HardenPlan)
        self.register_action("secure-deploy-keys-rotate", Rotate)
        # finish a pending rotation after a VM restart (what DESIGN.md asks of Main)
        with ncs.maapi.single_write_trans("system", "system", db=ncs.OPERATIONAL) as t:
            kr = ncs.maagic.get_root(t).secure_deploy.key_rotation
            if kr.state == "applying":
                kr.state = "completed"
                t.apply()

    def teardown(self):
        self.log.info("sample app teardown")
