"""Synthetic, exactly labelled side-lying leg lift clips (scenario → motion → render).

Only light modules are imported here; the renderer (torch, anny, pyrender, PyAV) is imported
on use from :mod:`hipwise.synth.render`.
"""

from hipwise.synth.motion import JointTrack, MotionScript, script_motion
from hipwise.synth.scenario import Scenario, ScenarioError

__all__ = ["JointTrack", "MotionScript", "Scenario", "ScenarioError", "script_motion"]
