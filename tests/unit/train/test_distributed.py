"""Multi-worker helpers: TF_CONFIG, ports, command lines, and a launcher that never leaves processes behind."""

from __future__ import annotations

import pytest

from elastic_attention.train import distributed


def test_tf_config_names_cluster_and_task():
    config = distributed.tf_config(["127.0.0.1:2222", "127.0.0.1:2223"], 1)
    assert config == {"cluster": {"worker": ["127.0.0.1:2222", "127.0.0.1:2223"]},
                      "task": {"type": "worker", "index": 1}}


@pytest.mark.parametrize("workers, index, match", [
    ([], 0, "non-empty list"),
    ("127.0.0.1:1", 0, "non-empty list"),
    (["127.0.0.1"], 0, "host:port"),
    (["127.0.0.1:0"], 0, "host:port"),
    (["a:1", "a:1"], 0, "repeat"),
    (["a:1", "a:2"], 2, "outside the cluster"),
    (["a:1"], -1, "index"),
])
def test_tf_config_rejects_bad_input(workers, index, match):
    with pytest.raises(ValueError, match=match):
        distributed.tf_config(workers, index)


def test_free_ports_are_distinct():
    ports = distributed.free_ports(4)
    assert len(set(ports)) == 4 and all(0 < p < 65536 for p in ports)


def test_worker_command_runs_the_module_and_checks_settings():
    cmd = distributed.worker_command("out.json", epochs=3, seed=2)
    assert cmd[1:3] == ["-m", "elastic_attention.train.distributed"]
    assert cmd[cmd.index("--epochs") + 1] == "3" and cmd[cmd.index("--seed") + 1] == "2"
    with pytest.raises(ValueError, match="epochs"):
        distributed.worker_command("out.json", epochs=0)
    with pytest.raises(ValueError, match="learning_rate"):
        distributed.launch(2, learning_rate=-1.0)


def test_timeout_kills_every_worker_and_removes_the_folder():
    group = distributed.launch(2, epochs=1)
    with pytest.raises(RuntimeError, match="did not finish within timeout"):
        group.wait(timeout=0.5)  # TensorFlow alone takes longer than this to import
    assert all(p.returncode is not None for p in group.processes)
    assert not group.folder.exists()


def test_context_manager_cleans_up_on_error():
    with pytest.raises(KeyError):
        with distributed.launch(1, epochs=1) as group:
            raise KeyError("the notebook failed")
    assert all(p.returncode is not None for p in group.processes)
