"""liif.resize.imresize: MATLAB's bicubic imresize, the benchmark protocol's kernel, without the quality stack."""
from __future__ import annotations

import pytest
import torch
from pyiqa.matlab_utils.resize import imresize as pyiqa_imresize  # the port the literature's numbers come from

from liif.resize import imresize

CASES = [((2, 3, 48, 40), (12, 10)),  # x4 down: the benchmark's LR
         ((1, 3, 100, 90), (37, 29)),  # non-integer down, anisotropic
         ((1, 3, 17, 23), (51, 69)),  # x3 up
         ((1, 3, 33, 44), (33, 97)),  # one axis only
         ((1, 1, 5, 7), (2, 3))]  # tiny: the mirrored border reaches across the image


@pytest.mark.parametrize("shape, size", CASES)
def test_imresize_equals_pyiqas_matlab_port(shape, size):
    x = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    ours, theirs = imresize(x, size), pyiqa_imresize(x.contiguous(), sizes=size)
    assert ours.shape == theirs.shape == (*shape[:2], *size)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=0)


def test_imresize_keeps_constants_and_the_identity():
    flat = torch.full((1, 3, 20, 30), 0.25)
    torch.testing.assert_close(imresize(flat, (7, 11)), torch.full((1, 3, 7, 11), 0.25))
    x = torch.rand(1, 3, 9, 8)
    assert torch.equal(imresize(x, (9, 8)), x)
