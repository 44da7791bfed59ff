"""Seed 003's notebook (the digits network) run as a script, the way a student runs it outside
Jupyter: the same imports, the notebook's own training code (src/main/resources/baselines/notebooks.py),
its printouts, and its three figures written as PNGs by matplotlib (Agg) instead of shown.

The peer of `./scratchnet workshop digits --plots DIR` in bench/cold-start.sh.
Usage: python3 digits_notebook.py PLOT_DIR
"""
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler  # noqa: F401  (imported by the notebook)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "baselines"))
import notebooks  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

# Part 1: the data, and the notebook's "Sample Images from Dataset" figure
digits = load_digits()
X, y = digits.data, digits.target
mask = (y == 0) | (y == 1)
X, y = X[mask], y[mask]
fig, axes = plt.subplots(2, 5, figsize=(12, 5))
fig.suptitle('Sample Images from Dataset', fontsize=16, fontweight='bold')
for i, ax in enumerate(axes.flat):
    ax.imshow(X[i].reshape(8, 8), cmap='gray')
    ax.set_title(f'Label: {y[i]}', fontsize=12)
    ax.axis('off')
plt.tight_layout()
plt.savefig(os.path.join(out, "digits-samples.png"))
plt.close(fig)

# Parts 2-8: training, with the notebook's seed and settings
np.random.seed(42)
r = notebooks.digits()
print(r["classification_report"])

# Part 9: loss and accuracy curves
fig, axes = plt.subplots(1, 2, figsize=(14, 5))
axes[0].plot(r['train_loss'], label='Train Loss', linewidth=2)
axes[0].plot(r['test_loss'], label='Test Loss', linewidth=2)
axes[0].set_xlabel('Epoch', fontsize=12)
axes[0].set_ylabel('Loss', fontsize=12)
axes[0].set_title('Loss Curve', fontsize=14, fontweight='bold')
axes[0].legend()
axes[0].grid(True, alpha=0.3)
axes[1].plot(r['train_accuracy'], label='Train Accuracy', linewidth=2)
axes[1].plot(r['test_accuracy'], label='Test Accuracy', linewidth=2)
axes[1].set_xlabel('Epoch', fontsize=12)
axes[1].set_ylabel('Accuracy', fontsize=12)
axes[1].set_title('Accuracy Curve', fontsize=14, fontweight='bold')
axes[1].legend()
axes[1].grid(True, alpha=0.3)
plt.tight_layout()
plt.savefig(os.path.join(out, "digits-curves.png"))
plt.close(fig)

# Part 10: sample predictions on the test set
X_train, X_test, y_train, y_test, scaler = notebooks.digits_data()
fig, axes = plt.subplots(2, 5, figsize=(12, 5))
fig.suptitle('Sample Predictions on Test Set', fontsize=16, fontweight='bold')
for i, ax in enumerate(axes.flat):
    idx = r['grid_indices'][i]
    image = scaler.inverse_transform(X_test[idx:idx + 1]).reshape(8, 8)
    true_label, pred_label, prob = y_test[idx][0], r['predictions'][idx], r['probabilities'][idx]
    ax.imshow(image, cmap='gray')
    color = 'green' if true_label == pred_label else 'red'
    ax.set_title(f'True: {true_label} | Pred: {pred_label}\nProb: {prob:.2f}', fontsize=10, color=color)
    ax.axis('off')
plt.tight_layout()
plt.savefig(os.path.join(out, "digits-predictions.png"))
plt.close(fig)
