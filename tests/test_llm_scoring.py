"""Prompts, Yes/No scoring, soft tokens, LoRA steps and the projection, on a tiny random Llama."""

import numpy as np
import pytest
import torch

from hybridrec_ref.llm import (ITEM_SLOT, USER_SLOT, CFProjection, SoftTokens, add_lora, answer_ids, encode_prompts,
                               last_logits, learning_curve, render, reset_adapter, score_yes_no, train_steps,
                               trainable_parameters, yes_no_loss, yes_no_prompt, yes_no_question)
from llm_tiny import tiny_lm


@pytest.fixture(scope="module")
def lm():
    return tiny_lm()


def test_question_lists_history_and_candidate():
    q = yes_no_question(["Toy Story", "Heat"], ["Alien"], "Fargo")
    assert "liked these movies: Toy Story; Heat." in q
    assert "disliked these movies: Alien." in q
    assert q.endswith('Will the user like the movie "Fargo"? Answer Yes or No.')
    assert "disliked these movies: (none)" in yes_no_question(["Jaws"], [], "Up")
    assert USER_SLOT not in q
    soft = yes_no_question(["Jaws"], [], "Up", soft_tokens=True)
    assert soft.index(USER_SLOT) < soft.index(ITEM_SLOT) < soft.index("Will")
    with pytest.raises(TypeError):
        yes_no_question("Toy Story", [], "Up")  # a single string is not a list of titles
    with pytest.raises(ValueError):
        yes_no_question([], [], " ")


def test_chat_template_is_applied(lm):
    p = yes_no_prompt(lm.tokenizer, ["Jaws"], [], "Up")
    assert p.startswith("<|im_start|>system\n") and p.endswith("<|im_start|>assistant\n")
    plain = yes_no_prompt(lm.tokenizer, ["Jaws"], [], "Up", chat=False)
    assert "<|im_start|>" not in plain and plain.endswith("Answer:")
    assert render(lm.tokenizer, "q") != render(lm.tokenizer, "q", chat=False)


def test_answer_words_are_single_tokens(lm):
    yes, no = answer_ids(lm.tokenizer)
    assert yes != no
    with pytest.raises(ValueError):
        answer_ids(lm.tokenizer, ["Yes No"])


def test_left_padding_and_slots(lm):
    prompts = [yes_no_prompt(lm.tokenizer, ["Jaws"], [], "Up", soft_tokens=True),
               yes_no_prompt(lm.tokenizer, ["Jaws", "Heat", "Alien"], ["Fargo"], "Up", soft_tokens=True)]
    ids, mask, slots = encode_prompts(lm.tokenizer, prompts)
    assert mask[:, -1].all() and not mask[0, 0]  # left-padded: every prompt ends at the last column
    assert slots.shape == (2, 2) and (slots[:, 0] < slots[:, 1]).all()
    assert (mask.gather(1, slots) == 1).all()
    with pytest.raises(ValueError):
        encode_prompts(lm.tokenizer, [prompts[0], yes_no_prompt(lm.tokenizer, ["Jaws"], [], "Up")])


def test_yes_no_score_is_the_logit_difference_and_padding_free(lm):
    prompts = [yes_no_prompt(lm.tokenizer, h, [], c) for h, c in
               [(["Jaws"], "Up"), (["Jaws", "Heat", "Alien", "Fargo"], "Casino"), (["Toy", "Story"], "Heat")]]
    batched = score_yes_no(lm, prompts, batch_size=3)
    yes, no = answer_ids(lm.tokenizer)
    for p, s in zip(prompts, batched):  # one prompt at a time, no padding, plain forward pass
        ids = torch.as_tensor([lm.tokenizer.encode(p, add_special_tokens=False)])
        with torch.no_grad():
            logits = lm.model(input_ids=ids).logits[0, -1]
        assert s == pytest.approx(float(logits[yes] - logits[no]), abs=1e-4)
    assert np.allclose(score_yes_no(lm, prompts, batch_size=1), batched, atol=1e-4)


def test_soft_tokens_replace_the_slot_embeddings(lm):
    prompts = [yes_no_prompt(lm.tokenizer, ["Jaws"], [], "Up", soft_tokens=True)] * 2
    ids, mask, slots = encode_prompts(lm.tokenizer, prompts)
    soft = torch.randn(2, 2, 32)
    with torch.no_grad():
        a = last_logits(lm.model, ids, mask, slots, soft)
        b = last_logits(lm.model, ids, mask, slots, soft * 2)
        c = last_logits(lm.model, ids, mask, slots, soft)
    assert not torch.allclose(a, b) and torch.allclose(a, c)


def test_projection_shapes():
    proj = CFProjection(in_dim=8, out_dim=32, hidden=16, scale=2.0)
    assert proj(torch.randn(5, 8)).shape == (5, 32)
    with pytest.raises(ValueError):
        proj(torch.randn(5, 7))
    soft = SoftTokens(proj, np.random.rand(4, 8), np.random.rand(6, 8), users=[0, 3, 1], items=[5, 0, 2])
    assert soft(np.array([2, 0])).shape == (2, 2, 32)
    with pytest.raises(ValueError):
        SoftTokens(proj, np.random.rand(4, 8), np.random.rand(6, 8), users=[0], items=[1, 2])


def test_lora_step_changes_only_adapter_parameters():
    lm = tiny_lm(seed=1)
    tuned = add_lora(lm, r=4, alpha=8, dropout=0.0)
    before = {k: v.detach().clone() for k, v in tuned.model.named_parameters()}
    trainable = trainable_parameters(tuned.model)
    assert trainable and all("lora_" in k for k in trainable)
    prompts = [yes_no_prompt(lm.tokenizer, ["Jaws"], [], c) for c in ("Up", "Heat", "Alien", "Fargo")]
    loss = yes_no_loss(tuned, prompts, [1, 0, 1, 0])
    history = train_steps(loss, 4, tuned.model.parameters(), n_epochs=2, batch_size=2, lr=1e-2,
                          modules=[tuned.model])
    assert len(history) == 4 and all(np.isfinite(history))
    changed = {k for k, v in tuned.model.named_parameters() if not torch.equal(v, before[k])}
    assert changed and changed <= set(trainable)
    assert any("lora_B" in k for k in changed)
    reset_adapter(tuned)
    assert all(torch.equal(v, before[k]) for k, v in tuned.model.named_parameters())


def test_tuning_lowers_the_loss():
    lm = tiny_lm(seed=2)
    tuned = add_lora(lm, r=4, alpha=8, dropout=0.0)
    prompts = [yes_no_prompt(lm.tokenizer, ["Jaws"], [], c) for c in ("Up", "Heat", "Alien", "Fargo")]
    loss = yes_no_loss(tuned, prompts, [1, 1, 1, 1])
    history = train_steps(loss, 4, tuned.model.parameters(), n_epochs=10, batch_size=4, lr=5e-2)
    assert history[-1] < history[0]
    with pytest.raises(ValueError):
        train_steps(loss, 4, [torch.zeros(2)], batch_size=4)  # nothing trainable


def test_learning_curve_checkpoint_equals_training_on_that_prefix_alone():
    # one pass, constant learning rate: the state after the first n samples is the state that
    # training on those n samples alone reaches (same order), so one run gives the whole curve
    lm = tiny_lm(seed=3)
    tuned = add_lora(lm, r=4, alpha=8, dropout=0.0)
    prompts = [yes_no_prompt(lm.tokenizer, ["Jaws"], [], c) for c in ("Up", "Heat", "Alien", "Fargo", "Big", "Ran")]
    loss = yes_no_loss(tuned, prompts, [1, 0, 1, 1, 0, 0])
    at, seen_at = {}, {}

    def at_size(n, seen):
        seen_at[n] = seen.copy()
        at[n] = {k: v.detach().clone() for k, v in trainable_parameters(tuned.model).items()}
        return {"probe": float(n)}

    hist = learning_curve(loss, (2, 6), tuned.model.parameters(), at_size, batch_size=2, lr=1e-2, seed=5)
    assert list(hist.index) == [2, 6] and list(hist["probe"]) == [2.0, 6.0]
    assert np.all(np.diff(hist["train_seconds"]) >= 0) and np.isfinite(hist["loss"]).all()
    assert sorted(seen_at[6]) == list(range(6)) and list(seen_at[6][:2]) == list(seen_at[2])
    reset_adapter(tuned)
    prefix = seen_at[2]
    # train_steps draws its own order; with one batch of the two samples the order does not matter
    train_steps(lambda idx: loss(prefix[idx]), 2, tuned.model.parameters(), batch_size=2, lr=1e-2, seed=5)
    alone = trainable_parameters(tuned.model)
    assert all(torch.allclose(alone[k], at[2][k], atol=1e-6) for k in alone)
    assert any(not torch.equal(at[2][k], at[6][k]) for k in at[2])  # it kept training after the checkpoint
    with pytest.raises(ValueError):
        learning_curve(loss, (3, 6), tuned.model.parameters(), at_size, batch_size=2)  # 3 straddles a batch
    with pytest.raises(ValueError):
        learning_curve(loss, (4, 2), tuned.model.parameters(), at_size, batch_size=2)
