"""The workshop notebooks' own code (../shared/seeds), runnable one network at a time.

Each function reproduces one network of one notebook: the classes and loops are the notebooks'
own, copied as written with the plots and prints removed, and each function replays the
notebook's global random stream from np.random.seed(seed) in the notebook's order, drawing
(and discarding) what earlier cells draw, so that a later network gets the notebook's weights.
Each returns a dict of what the notebook prints or plots, plus 'train_seconds': the wall time of
the training loop alone.

Used by src/test/resources/fixtures/make_notebook_fixtures.py (the parity fixtures) and by
`scratchnet workshop bench` (the NumPy timings beside each recipe's).
"""
import time

import numpy as np


# ---------------------------------------------------------------- seed 000: XOR from scratch

class NeuralNetworkFromScratch:
    def __init__(self, input_size, hidden_size, output_size):
        self.W1 = np.random.randn(input_size, hidden_size) * 0.01
        self.b1 = np.zeros((1, hidden_size))
        self.W2 = np.random.randn(hidden_size, output_size) * 0.01
        self.b2 = np.zeros((1, output_size))

    def sigmoid(self, x):
        return 1 / (1 + np.exp(-x))

    def sigmoid_derivative(self, x):
        return x * (1 - x)

    def softmax(self, x):
        exp_x = np.exp(x - np.max(x, axis=1, keepdims=True))
        return exp_x / np.sum(exp_x, axis=1, keepdims=True)

    def forward(self, X):
        self.z1 = np.dot(X, self.W1) + self.b1
        self.a1 = self.sigmoid(self.z1)
        self.z2 = np.dot(self.a1, self.W2) + self.b2
        self.a2 = self.softmax(self.z2)
        return self.a2

    def backward(self, X, y, output):
        y_one_hot = np.zeros((y.size, output.shape[1]))
        y_one_hot[np.arange(y.size), y] = 1
        dz2 = output - y_one_hot
        dW2 = np.dot(self.a1.T, dz2)
        db2 = np.sum(dz2, axis=0, keepdims=True)
        da1 = np.dot(dz2, self.W2.T)
        dz1 = da1 * self.sigmoid_derivative(self.a1)
        dW1 = np.dot(X.T, dz1)
        db1 = np.sum(dz1, axis=0, keepdims=True)
        return dW1, db1, dW2, db2

    def train(self, X, y, learning_rate=0.1, epochs=1000):
        losses = []
        for epoch in range(epochs):
            output = self.forward(X)
            y_one_hot = np.zeros((y.size, output.shape[1]))
            y_one_hot[np.arange(y.size), y] = 1
            loss = -np.sum(y_one_hot * np.log(output + 1e-8)) / y.size
            losses.append(loss)
            dW1, db1, dW2, db2 = self.backward(X, y, output)
            self.W1 -= learning_rate * dW1
            self.b1 -= learning_rate * db1
            self.W2 -= learning_rate * dW2
            self.b2 -= learning_rate * db2
        return losses

    def predict(self, X):
        output = self.forward(X)
        return np.argmax(output, axis=1)


class MultiLayerNeuralNetwork:
    def __init__(self, layer_sizes):
        self.num_layers = len(layer_sizes) - 1
        self.layer_sizes = layer_sizes
        self.weights = []
        self.biases = []
        for i in range(self.num_layers):
            self.weights.append(np.random.randn(layer_sizes[i], layer_sizes[i + 1]) *
                                np.sqrt(1 / layer_sizes[i]))
            self.biases.append(np.zeros((1, layer_sizes[i + 1])))

    def relu(self, x):
        return np.maximum(0, x)

    def relu_derivative(self, x):
        return np.where(x > 0, 1, 0)

    def softmax(self, x):
        exp_x = np.exp(x - np.max(x, axis=1, keepdims=True))
        return exp_x / np.sum(exp_x, axis=1, keepdims=True)

    def forward(self, X):
        self.Z = []
        self.A = [X]
        for i in range(self.num_layers - 1):
            z = np.dot(self.A[-1], self.weights[i]) + self.biases[i]
            a = self.relu(z)
            self.Z.append(z)
            self.A.append(a)
        z = np.dot(self.A[-1], self.weights[-1]) + self.biases[-1]
        a = self.softmax(z)
        self.Z.append(z)
        self.A.append(a)
        return self.A[-1]

    def backward(self, X, y, output):
        batch_size = X.shape[0]
        gradients = {'dW': [], 'db': []}
        y_one_hot = np.zeros((y.size, output.shape[1]))
        y_one_hot[np.arange(y.size), y] = 1
        dZ = output - y_one_hot
        for layer in range(self.num_layers - 1, -1, -1):
            dW = (1 / batch_size) * np.dot(self.A[layer].T, dZ)
            db = (1 / batch_size) * np.sum(dZ, axis=0, keepdims=True)
            gradients['dW'].insert(0, dW)
            gradients['db'].insert(0, db)
            if layer > 0:
                dA = np.dot(dZ, self.weights[layer].T)
                dZ = dA * self.relu_derivative(self.A[layer])
        return gradients

    def train(self, X, y, learning_rate=0.01, epochs=1000, batch_size=32, print_every=100):
        n_samples = X.shape[0]
        n_batches = max(n_samples // batch_size, 1)
        losses = []
        accuracies = []
        for epoch in range(epochs):
            indices = np.random.permutation(n_samples)
            X_shuffled = X[indices]
            y_shuffled = y[indices]
            epoch_loss = 0
            epoch_correct = 0
            for i in range(n_batches):
                start_idx = i * batch_size
                end_idx = min((i + 1) * batch_size, n_samples)
                X_batch = X_shuffled[start_idx:end_idx]
                y_batch = y_shuffled[start_idx:end_idx]
                output = self.forward(X_batch)
                y_one_hot = np.zeros((y_batch.size, output.shape[1]))
                y_one_hot[np.arange(y_batch.size), y_batch] = 1
                batch_loss = -np.sum(y_one_hot * np.log(output + 1e-8)) / y_batch.size
                epoch_loss += batch_loss * (end_idx - start_idx)
                predictions = np.argmax(output, axis=1)
                epoch_correct += np.sum(predictions == y_batch)
                gradients = self.backward(X_batch, y_batch, output)
                for layer in range(self.num_layers):
                    self.weights[layer] -= learning_rate * gradients['dW'][layer]
                    self.biases[layer] -= learning_rate * gradients['db'][layer]
            epoch_loss /= n_samples
            epoch_accuracy = epoch_correct / n_samples * 100
            losses.append(epoch_loss)
            accuracies.append(epoch_accuracy)
        return losses, accuracies

    def predict(self, X):
        output = self.forward(X)
        return np.argmax(output, axis=1)


XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR_Y = np.array([0, 1, 1, 0])


def xor_scratch(seed=42, lr=0.5, epochs=5000, hidden=4):
    np.random.seed(seed)
    net = NeuralNetworkFromScratch(input_size=2, hidden_size=hidden, output_size=2)
    t = time.perf_counter()
    losses = net.train(XOR_X, XOR_Y, learning_rate=lr, epochs=epochs)
    seconds = time.perf_counter() - t
    predictions = net.predict(XOR_X)
    return {"train_loss": losses, "predictions": predictions.tolist(),
            "accuracy": float(np.mean(predictions == XOR_Y)), "train_seconds": seconds}


def xor_multilayer(seed=42, lr=0.05, epochs=2000, hidden=(8, 4)):
    np.random.seed(seed)
    NeuralNetworkFromScratch(input_size=2, hidden_size=4, output_size=2)   # section 3 draws first
    net = MultiLayerNeuralNetwork([2, *hidden, 2])
    t = time.perf_counter()
    losses, accuracies = net.train(XOR_X, XOR_Y, learning_rate=lr, epochs=epochs, batch_size=4, print_every=200)
    seconds = time.perf_counter() - t
    predictions = net.predict(XOR_X)
    return {"train_loss": losses, "train_accuracy": [a / 100 for a in accuracies], "predictions": predictions.tolist(),
            "accuracy": float(np.mean(predictions == XOR_Y)), "train_seconds": seconds}


# ---------------------------------------------------------------- seed 001: Activation and Layer classes

class Activation:
    @staticmethod
    def forward(x):
        raise NotImplementedError

    @staticmethod
    def backward(x):
        raise NotImplementedError


class ReLU(Activation):
    @staticmethod
    def forward(x):
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1, 0)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * 0.01
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.output = None
        self.activation_input = None

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        grad_activation = grad_output * self.activation.backward(self.activation_input)
        grad_weights = self.input.T @ grad_activation
        grad_bias = np.sum(grad_activation, axis=0, keepdims=True)
        grad_input = grad_activation @ self.weights.T
        return grad_input, grad_weights, grad_bias


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        assert len(layer_sizes) >= 2, "Need at least input and output layers"
        assert len(layer_sizes) - 1 == len(activations), "Need activation for each layer except input"
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            layer = Layer(layer_sizes[i], layer_sizes[i + 1], activations[i])
            self.layers.append(layer)

    def forward(self, x):
        current_input = x
        for layer in self.layers:
            current_input = layer.forward(current_input)
        return current_input

    def backward(self, grad_output, learning_rate=0.01):
        current_gradient = grad_output
        for layer in reversed(self.layers):
            grad_input, grad_weights, grad_bias = layer.backward(current_gradient)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias
            current_gradient = grad_input


def xor_layers(seed=42, lr=0.1, epochs=10000, hidden=4):
    np.random.seed(seed)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([[0], [1], [1], [0]])
    network = NeuralNetwork(layer_sizes=[2, hidden, 1], activations=[ReLU(), Sigmoid()])
    learning_rate = lr
    losses = []
    t = time.perf_counter()
    for epoch in range(epochs):
        output = network.forward(X)
        loss = -np.mean(y * np.log(output + 1e-15) + (1 - y) * np.log(1 - output + 1e-15))
        losses.append(loss)
        grad_output = -(y / (output + 1e-15) - (1 - y) / (1 - output + 1e-15)) / len(X)
        network.backward(grad_output, learning_rate)
    seconds = time.perf_counter() - t
    predictions = network.forward(X)
    return {"train_loss": losses, "outputs": predictions[:, 0].tolist(),
            "accuracy": float(np.mean((predictions[:, 0] > 0.5) == (y[:, 0] == 1))), "train_seconds": seconds}


# ---------------------------------------------------------------- seed 002: TwoLayerNet on make_moons

def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return (x > 0).astype(float)


def softmax(x):
    exp_x = np.exp(x - np.max(x, axis=1, keepdims=True))
    return exp_x / np.sum(exp_x, axis=1, keepdims=True)


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, init_std=0.01):
        self.W1 = np.random.randn(input_size, hidden_size) * init_std
        self.b1 = np.zeros((1, hidden_size))
        self.W2 = np.random.randn(hidden_size, output_size) * init_std
        self.b2 = np.zeros((1, output_size))
        self.cache = {}

    def forward(self, X):
        z1 = X @ self.W1 + self.b1
        a1 = relu(z1)
        z2 = a1 @ self.W2 + self.b2
        a2 = softmax(z2)
        self.cache = {'X': X, 'z1': z1, 'a1': a1, 'z2': z2, 'a2': a2}
        return a2

    def backward(self, y_true):
        m = y_true.shape[0]
        X = self.cache['X']
        a1 = self.cache['a1']
        a2 = self.cache['a2']
        z1 = self.cache['z1']
        dz2 = a2 - y_true
        dW2 = a1.T @ dz2 / m
        db2 = np.sum(dz2, axis=0, keepdims=True) / m
        da1 = dz2 @ self.W2.T
        dz1 = da1 * relu_grad(z1)
        dW1 = X.T @ dz1 / m
        db1 = np.sum(dz1, axis=0, keepdims=True) / m
        return {'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2}

    def compute_loss(self, y_pred, y_true):
        m = y_true.shape[0]
        log_probs = -np.log(y_pred[range(m), y_true.argmax(axis=1)] + 1e-8)
        return np.mean(log_probs)

    def train_step(self, X, y, lr=0.01):
        y_pred = self.forward(X)
        loss = self.compute_loss(y_pred, y)
        grads = self.backward(y)
        self.W1 -= lr * grads['dW1']
        self.b1 -= lr * grads['db1']
        self.W2 -= lr * grads['dW2']
        self.b2 -= lr * grads['db2']
        return loss


def one_hot(y, n_classes=2):
    return np.eye(n_classes)[y]


def moons_data():
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split
    X, y = make_moons(n_samples=300, noise=0.2, random_state=42)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)
    return X_train, X_test, one_hot(y_train), one_hot(y_test)


def moons(seed=42, lr=0.5, epochs=1000):
    X_train, X_test, y_train_oh, y_test_oh = moons_data()
    np.random.seed(seed)
    net = TwoLayerNet(input_size=2, hidden_size=10, output_size=2, init_std=0.1)
    losses = []
    t = time.perf_counter()
    for epoch in range(epochs):
        loss = net.train_step(X_train, y_train_oh, lr=lr)
        losses.append(loss)
    seconds = time.perf_counter() - t
    y_pred_train = net.forward(X_train)
    y_pred_test = net.forward(X_test)
    train_acc = np.mean(y_pred_train.argmax(axis=1) == y_train_oh.argmax(axis=1))
    test_acc = np.mean(y_pred_test.argmax(axis=1) == y_test_oh.argmax(axis=1))
    return {"train_loss": losses, "train_accuracy": float(train_acc), "test_accuracy": float(test_acc),
            "test_predictions": y_pred_test.argmax(axis=1).tolist(), "train_seconds": seconds}


def gradient_check(net, X, y, epsilon=1e-5):
    y_pred = net.forward(X)
    grads_analytic = net.backward(y)
    params = {'W1': net.W1, 'b1': net.b1, 'W2': net.W2, 'b2': net.b2}
    errors = {}
    for param_name, param in params.items():
        grad_analytic = grads_analytic[f'd{param_name}']
        grad_numerical = np.zeros_like(param)
        it = np.nditer(param, flags=['multi_index'], op_flags=['readwrite'])
        count = 0
        while not it.finished and count < 10:
            ix = it.multi_index
            old_value = param[ix]
            param[ix] = old_value + epsilon
            y_plus = net.forward(X)
            loss_plus = net.compute_loss(y_plus, y)
            param[ix] = old_value - epsilon
            y_minus = net.forward(X)
            loss_minus = net.compute_loss(y_minus, y)
            grad_numerical[ix] = (loss_plus - loss_minus) / (2 * epsilon)
            param[ix] = old_value
            it.iternext()
            count += 1
        diff = np.linalg.norm(grad_analytic.ravel()[:10] - grad_numerical.ravel()[:10])
        rel_error = diff / (np.linalg.norm(grad_analytic.ravel()[:10]) + np.linalg.norm(grad_numerical.ravel()[:10]) + 1e-8)
        errors[param_name] = float(rel_error)
    return errors


def moons_gradcheck(seed=42):
    X_train, X_test, y_train_oh, y_test_oh = moons_data()
    np.random.seed(seed)
    TwoLayerNet(input_size=2, hidden_size=10, output_size=2, init_std=0.1)   # section 2's network draws first
    net_check = TwoLayerNet(input_size=2, hidden_size=5, output_size=2, init_std=0.1)
    t = time.perf_counter()
    errors = gradient_check(net_check, X_train[:10], y_train_oh[:10])
    return {"gradient_check": errors, "train_seconds": time.perf_counter() - t}


INIT_STDS = {'small': 0.01, 'xavier': np.sqrt(2.0 / (2 + 10)), 'he': np.sqrt(2.0 / 2)}


def moons_init(seed=42, lr=0.5, epochs=500):
    X_train, X_test, y_train_oh, y_test_oh = moons_data()
    np.random.seed(seed)
    TwoLayerNet(input_size=2, hidden_size=10, output_size=2, init_std=0.1)   # section 2
    TwoLayerNet(input_size=2, hidden_size=5, output_size=2, init_std=0.1)    # section 3
    results = {}
    seconds = 0.0
    for init_type in ['small', 'xavier', 'he']:
        net = TwoLayerNet(2, 10, 2, init_std=INIT_STDS[init_type])
        losses = []
        t = time.perf_counter()
        for epoch in range(epochs):
            loss = net.train_step(X_train, y_train_oh, lr=lr)
            losses.append(loss)
        seconds += time.perf_counter() - t
        y_pred = net.forward(X_test)
        acc = np.mean(y_pred.argmax(axis=1) == y_test_oh.argmax(axis=1))
        results[init_type] = {"std": float(INIT_STDS[init_type]), "train_loss": losses, "test_accuracy": float(acc)}
    return {"variants": results, "train_seconds": seconds}


# ---------------------------------------------------------------- seed 003: 64-16-8-1 on digits 0 vs 1

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def digits_data():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    digits = load_digits()
    X, y = digits.data, digits.target
    mask = (y == 0) | (y == 1)
    X = X[mask]
    y = y[mask]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
    scaler = StandardScaler()
    X_train = scaler.fit_transform(X_train)
    X_test = scaler.transform(X_test)
    return X_train, X_test, y_train.reshape(-1, 1), y_test.reshape(-1, 1), scaler


def digits(seed=42, lr=0.5, epochs=1000, sizes=(64, 16, 8, 1)):
    input_size, hidden1_size, hidden2_size, output_size = sizes
    X_train, X_test, y_train, y_test, scaler = digits_data()

    def initialize_parameters():
        params = {}
        params['W1'] = np.random.randn(hidden1_size, input_size) * 0.01
        params['b1'] = np.zeros((hidden1_size, 1))
        params['W2'] = np.random.randn(hidden2_size, hidden1_size) * 0.01
        params['b2'] = np.zeros((hidden2_size, 1))
        params['W3'] = np.random.randn(output_size, hidden2_size) * 0.01
        params['b3'] = np.zeros((output_size, 1))
        return params

    def forward_propagation(X, params):
        W1, b1 = params['W1'], params['b1']
        W2, b2 = params['W2'], params['b2']
        W3, b3 = params['W3'], params['b3']
        Z1 = np.dot(W1, X.T) + b1
        A1 = sigmoid(Z1)
        Z2 = np.dot(W2, A1) + b2
        A2 = sigmoid(Z2)
        Z3 = np.dot(W3, A2) + b3
        A3 = sigmoid(Z3)
        cache = {'Z1': Z1, 'A1': A1, 'Z2': Z2, 'A2': A2, 'Z3': Z3, 'A3': A3}
        return A3, cache

    def compute_loss(A3, Y):
        m = Y.shape[0]
        A3 = np.clip(A3, 1e-7, 1 - 1e-7)
        loss = -np.mean(Y.T * np.log(A3) + (1 - Y.T) * np.log(1 - A3))
        return loss

    def backward_propagation(X, Y, params, cache):
        m = X.shape[0]
        A1, A2, A3 = cache['A1'], cache['A2'], cache['A3']
        Z1, Z2, Z3 = cache['Z1'], cache['Z2'], cache['Z3']
        W1, W2, W3 = params['W1'], params['W2'], params['W3']
        dZ3 = A3 - Y.T
        dW3 = (1 / m) * np.dot(dZ3, A2.T)
        db3 = (1 / m) * np.sum(dZ3, axis=1, keepdims=True)
        dA2 = np.dot(W3.T, dZ3)
        dZ2 = dA2 * sigmoid_derivative(Z2)
        dW2 = (1 / m) * np.dot(dZ2, A1.T)
        db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
        dA1 = np.dot(W2.T, dZ2)
        dZ1 = dA1 * sigmoid_derivative(Z1)
        dW1 = (1 / m) * np.dot(dZ1, X)
        db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
        return {'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2, 'dW3': dW3, 'db3': db3}

    def update_parameters(params, grads, learning_rate):
        params['W1'] -= learning_rate * grads['dW1']
        params['b1'] -= learning_rate * grads['db1']
        params['W2'] -= learning_rate * grads['dW2']
        params['b2'] -= learning_rate * grads['db2']
        params['W3'] -= learning_rate * grads['dW3']
        params['b3'] -= learning_rate * grads['db3']
        return params

    np.random.seed(seed)
    initialize_parameters()   # Part 3 draws a first set; train_network draws the one it trains
    params = initialize_parameters()
    train_losses, test_losses, train_accuracies, test_accuracies = [], [], [], []
    t = time.perf_counter()
    for epoch in range(epochs):
        A3_train, cache_train = forward_propagation(X_train, params)
        train_loss = compute_loss(A3_train, y_train)
        grads = backward_propagation(X_train, y_train, params, cache_train)
        params = update_parameters(params, grads, lr)
        A3_test, _ = forward_propagation(X_test, params)
        test_loss = compute_loss(A3_test, y_test)
        train_pred = (A3_train > 0.5).astype(int)
        test_pred = (A3_test > 0.5).astype(int)
        train_acc = np.mean(train_pred.T == y_train)
        test_acc = np.mean(test_pred.T == y_test)
        train_losses.append(train_loss)
        test_losses.append(test_loss)
        train_accuracies.append(train_acc)
        test_accuracies.append(test_acc)
    seconds = time.perf_counter() - t

    A3_final, _ = forward_propagation(X_test, params)
    final_predictions = (A3_final > 0.5).astype(int).T
    final_accuracy = np.mean(final_predictions == y_test)
    from sklearn.metrics import classification_report, confusion_matrix
    cm = confusion_matrix(y_test, final_predictions)
    report = classification_report(y_test, final_predictions, target_names=['Digit 0', 'Digit 1'])
    report_dict = classification_report(y_test, final_predictions, target_names=['Digit 0', 'Digit 1'], output_dict=True)
    grid = np.random.choice(len(X_test), 10, replace=False)
    return {"train_loss": [float(v) for v in train_losses], "test_loss": [float(v) for v in test_losses],
            "train_accuracy": [float(v) for v in train_accuracies], "test_accuracy": [float(v) for v in test_accuracies],
            "final_accuracy": float(final_accuracy), "final_test_loss": float(test_losses[-1]),
            "predictions": final_predictions[:, 0].tolist(), "probabilities": A3_final[0].tolist(),
            "confusion_matrix": cm.tolist(), "classification_report": report, "classification_report_dict": report_dict,
            "grid_indices": grid.tolist(), "train_seconds": seconds}


RECIPES = {
    "xor-scratch": xor_scratch,
    "xor-multilayer": xor_multilayer,
    "xor-layers": xor_layers,
    "moons": moons,
    "moons-gradcheck": moons_gradcheck,
    "moons-init": moons_init,
    "digits": digits,
}


if __name__ == "__main__":
    # `scratchnet workshop bench` runs this: one JSON line per recipe with the training loop's time
    import json
    import sys
    names = sys.argv[1].split(",") if len(sys.argv) > 1 else list(RECIPES)
    for name in names:
        r = RECIPES[name]()
        print(json.dumps({"recipe": name, "train_seconds": r["train_seconds"]}), flush=True)
