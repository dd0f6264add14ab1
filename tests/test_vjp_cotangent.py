"""A VJP is a function of its cotangent too: ūᵀ·J(x) differentiated with respect to ū gives J(x)ᵀ.

The cotangent passed to ``vjp_fn`` is a differentiable input like any other,
in reverse mode (``grad``, ``jacrev``) and forward mode (``jvp``, ``jacfwd``).
"""

import numpy as np
import pytest

import autograd_core as ag


def f(x):
    return ag.sin(x) * x


def f_prime(x):
    return np.sin(x) + x * np.cos(x)


def f_second(x):
    return 2 * np.cos(x) - x * np.sin(x)


X = np.array([0.3, -1.2, 2.0])
U = np.array([0.5, 2.0, -1.0])


def pulled_back(x, u):
    return ag.vjp(f, x)[1](u)[0]  # uᵀ·J(x) = u·f'(x) elementwise


def test_grad_with_respect_to_the_cotangent():
    got = ag.grad(lambda x, u: ag.sum(pulled_back(x, u)), argnums=1)(X, U)
    np.testing.assert_allclose(got.data, f_prime(X))


def test_grad_with_respect_to_primal_and_cotangent():
    gx, gu = ag.grad(lambda x, u: ag.sum(pulled_back(x, u)), argnums=(0, 1))(X, U)
    np.testing.assert_allclose(gx.data, U * f_second(X))
    np.testing.assert_allclose(gu.data, f_prime(X))


def test_jvp_with_respect_to_the_cotangent():
    v = np.array([1.0, -1.0, 0.5])
    _, tangent = ag.jvp(lambda u: pulled_back(X, u), [U], [v])
    np.testing.assert_allclose(tangent.data, v * f_prime(X))


@pytest.mark.parametrize("jac", [ag.jacrev, ag.jacfwd])
def test_jacobian_with_respect_to_the_cotangent_is_the_transposed_jacobian(jac):
    def matrix_product(x):
        return ag.matmul(ag.tensor([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]]), x)

    got = jac(lambda u: ag.vjp(matrix_product, X)[1](u)[0])(np.ones(2))
    np.testing.assert_allclose(got.data, [[1.0, 0.5], [2.0, -1.0], [0.0, 3.0]])


def test_a_constant_cotangent_still_gives_a_plain_result():
    _, vjp_fn = ag.vjp(f, X)
    (g,) = vjp_fn(ag.tensor(U))
    assert g.grad_fn is None and not g.requires_grad
    np.testing.assert_allclose(g.data, U * f_prime(X))
