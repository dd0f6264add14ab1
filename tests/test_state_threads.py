"""Engine state belongs to the thread that set it, as in PyTorch.

Each mode is switched in one thread while another thread works, with a
barrier so the two really overlap; the working thread must see its own
default (grad on, no levels, no anomaly, no meters, no scope), and the mode
must be restored in the thread that set it.
"""

import threading

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import _state


def _run_beside(switch, work):
    """Run ``switch(inside)`` in one thread and ``work()`` in another while the switch is held."""
    entered, done = threading.Event(), threading.Event()
    results, errors = {}, []

    def holder():
        try:

            def inside():
                entered.set()
                assert done.wait(10)

            switch(inside)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    def worker():
        try:
            assert entered.wait(10)
            results["value"] = work()
        except BaseException as err:  # pragma: no cover
            errors.append(err)
        finally:
            done.set()

    threads = [threading.Thread(target=holder), threading.Thread(target=worker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    if errors:
        raise errors[0]
    return results["value"]


def _train_step():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    return w.grad


def test_no_grad_in_one_thread_does_not_stop_training_in_another():
    def switch(inside):
        with ag.no_grad():
            inside()

    grad = _run_beside(switch, _train_step)
    assert grad is not None and grad.tolist() == [2.0, 4.0]
    assert ag.is_grad_enabled()


def test_many_steps_in_a_thread_while_another_evaluates_under_no_grad():
    stop = threading.Event()
    lost = []

    def evaluate():
        while not stop.is_set():
            with ag.no_grad():
                ag.tensor([1.0], requires_grad=True) * 2

    def train():
        for _ in range(300):
            if _train_step() is None:
                lost.append(1)

    evaluator = threading.Thread(target=evaluate)
    trainer = threading.Thread(target=train)
    evaluator.start()
    trainer.start()
    trainer.join(60)
    stop.set()
    evaluator.join(10)
    assert lost == []
    assert ag.is_grad_enabled()  # never left off for the process


def test_a_new_thread_starts_with_grad_mode_on():
    def switch(inside):
        ag.set_grad_enabled(False)
        try:
            inside()
        finally:
            ag.set_grad_enabled(True)

    assert _run_beside(switch, ag.is_grad_enabled) is True


def test_a_threads_first_operation_makes_its_state_and_records():
    """The per-op path makes a thread's state on its first use, with grad mode on, whatever other threads set."""
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = {}

    def work():
        seen["fresh"] = not hasattr(_state._local, "state")  # nothing in this thread has touched the engine
        y = x * 3.0
        seen["recorded"] = y.requires_grad and y.grad_fn is not None

    with ag.no_grad():
        thread = threading.Thread(target=work)
        thread.start()
        thread.join(20)
    assert seen == {"fresh": True, "recorded": True}


def test_set_grad_enabled_as_a_plain_call_switches_the_mode():
    try:
        ag.set_grad_enabled(False)
        assert not ag.is_grad_enabled()
        assert not (ag.tensor([1.0], requires_grad=True) * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_does_not_switch_at_decoration():
    @ag.set_grad_enabled(False)
    def evaluate():
        return ag.is_grad_enabled()

    assert ag.is_grad_enabled()
    assert evaluate() is False
    assert ag.is_grad_enabled()


def test_backward_in_one_thread_does_not_reset_another_threads_mode():
    def switch(inside):
        with ag.no_grad():
            inside()
            assert not ag.is_grad_enabled()

    _run_beside(switch, _train_step)
    assert ag.is_grad_enabled()


@pytest.mark.parametrize(
    "mode, read",
    [
        (lambda: ag.dual_level(), lambda: _state.current().fwd_levels),
        (lambda: ag.detect_anomaly(), lambda: _state.current().anomaly),
        (lambda: ag.count_ops(), lambda: _state.current().counters),
        (lambda: ag.graph_scope("layer"), lambda: _state.current().scope),
        (lambda: ag.no_grad(), lambda: not _state.current().grad_enabled),
    ],
    ids=["dual_level", "detect_anomaly", "count_ops", "graph_scope", "no_grad"],
)
def test_every_mode_is_per_thread(mode, read):
    def switch(inside):
        with mode():
            assert read()
            inside()
            assert read()

    other = _run_beside(switch, read)
    assert not other
    assert not _state.current().slow


def test_forward_mode_levels_do_not_leak_into_another_threads_ops():
    def switch(inside):
        with ag.dual_level():
            ag.make_dual(ag.tensor([1.0]), ag.tensor([1.0]))
            inside()

    def work():
        x = ag.tensor([3.0], requires_grad=True)
        y = x * x
        return y._tangents is None and not _state.current().slow

    assert _run_beside(switch, work)


def test_op_counter_counts_only_its_own_thread():
    def switch(inside):
        with ag.count_ops() as meter:
            inside()
            switch.meter = meter

    _run_beside(switch, lambda: ag.tensor(np.ones(3)).exp())
    assert switch.meter.total_calls == 0
