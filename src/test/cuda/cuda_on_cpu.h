// cuda_on_cpu.h: just enough of CUDA to run scratchnet's kernels on a CPU, for testing their logic
// on machines without a GPU. Include it before the .cu files and compile them with g++.
//
// Each CUDA thread of a block is a cooperative fiber (ucontext); blocks run one after another.
// __syncthreads() and the warp shuffles are barriers: a fiber that reaches one gives control back,
// and the scheduler releases a barrier once every live thread of the block (or warp) is at it.
// A barrier that cannot be released (some threads at a different barrier) is reported as a
// divergent barrier, which on a GPU is undefined behaviour. __shared__ variables become static
// locals: one copy, shared by the threads of the block that is running.
//
// What this cannot show: speed, memory coalescing, bank conflicts, races that depend on the
// hardware's scheduling (fibers run in a fixed order), or anything about PTX and the driver.
#pragma once
#define SCRATCHNET_CUDA_ON_CPU 1

#include <ucontext.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>
#include <math.h>

using std::max;
using std::min;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

struct dim3 {
    unsigned x, y, z;
    dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) double2 { double x, y; };

namespace emu {

enum State { RUNNABLE, AT_BLOCK_BARRIER, AT_WARP_BARRIER, DONE };

struct Fiber {
    ucontext_t context;
    std::vector<char> stack;
    dim3 tid;
    int linear = 0;
    State state = RUNNABLE;
};

inline ucontext_t scheduler;
inline std::vector<Fiber> fibers;
inline Fiber* current = nullptr;
inline dim3 block_index, block_dim, grid_dim;
inline std::function<void()> body;
inline std::vector<uint64_t> warp_slots;

inline void trampoline() {
    body();
    current->state = DONE;
}

inline void yield(State s) {
    current->state = s;
    swapcontext(&current->context, &scheduler);
}

inline int threads_in_block() {
    return (int) (block_dim.x * block_dim.y * block_dim.z);
}

/** Runs one block of body() to completion; throws on a barrier that cannot be released. */
inline void run_block() {
    int n = threads_in_block();
    if ((int) fibers.size() < n) {
        fibers.resize(n);
    }
    warp_slots.assign(((n + 31) / 32) * 32, 0);
    for (int t = 0; t < n; t++) {
        Fiber& f = fibers[t];
        if (f.stack.empty()) {
            f.stack.resize(256 * 1024);
        }
        f.linear = t;
        f.tid = dim3(t % block_dim.x, (t / block_dim.x) % block_dim.y, t / (block_dim.x * block_dim.y));
        f.state = RUNNABLE;
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack.data();
        f.context.uc_stack.ss_size = f.stack.size();
        f.context.uc_link = &scheduler;
        makecontext(&f.context, trampoline, 0);
    }
    while (true) {
        bool ran = false;
        for (int t = 0; t < n; t++) {
            if (fibers[t].state == RUNNABLE) {
                current = &fibers[t];
                swapcontext(&scheduler, &fibers[t].context);
                ran = true;
            }
        }
        int done = 0, atBlock = 0;
        for (int t = 0; t < n; t++) {
            done += fibers[t].state == DONE;
            atBlock += fibers[t].state == AT_BLOCK_BARRIER;
        }
        if (done == n) {
            return;
        }
        bool released = false;
        for (int w = 0; w * 32 < n; w++) {
            int waiting = 0, live = 0;
            for (int t = w * 32; t < std::min(n, w * 32 + 32); t++) {
                live += fibers[t].state != DONE;
                waiting += fibers[t].state == AT_WARP_BARRIER;
            }
            if (waiting > 0 && waiting == live) {
                for (int t = w * 32; t < std::min(n, w * 32 + 32); t++) {
                    if (fibers[t].state == AT_WARP_BARRIER) {
                        fibers[t].state = RUNNABLE;
                    }
                }
                released = true;
            }
        }
        if (!released && atBlock > 0 && atBlock == n - done) {
            for (int t = 0; t < n; t++) {
                if (fibers[t].state == AT_BLOCK_BARRIER) {
                    fibers[t].state = RUNNABLE;
                }
            }
            released = true;
        }
        if (!released && !ran) {
            throw std::runtime_error("divergent barrier in block (" + std::to_string(block_index.x) + "," +
                                     std::to_string(block_index.y) + "): " + std::to_string(atBlock) +
                                     " threads at __syncthreads, the others elsewhere");
        }
    }
}

template <typename... P, typename... A>
void launch(void (*kernel)(P...), dim3 grid, dim3 block, A... args) {
    grid_dim = grid;
    block_dim = block;
    body = [&]() { kernel(args...); };
    for (unsigned z = 0; z < grid.z; z++) {
        for (unsigned y = 0; y < grid.y; y++) {
            for (unsigned x = 0; x < grid.x; x++) {
                block_index = dim3(x, y, z);
                run_block();
            }
        }
    }
}

}  // namespace emu

#define threadIdx (emu::current->tid)
#define blockIdx (emu::block_index)
#define blockDim (emu::block_dim)
#define gridDim (emu::grid_dim)
#define warpSize 32

inline void __syncthreads() {
    emu::yield(emu::AT_BLOCK_BARRIER);
}

inline void __syncwarp(unsigned = 0xffffffffu) {
    emu::yield(emu::AT_WARP_BARRIER);
}

template <typename T>
T __shfl_down_sync(unsigned mask, T v, int delta) {
    static_assert(sizeof(T) <= 8, "shuffles of up to 8 bytes");
    if (mask != 0xffffffffu) {
        throw std::runtime_error("__shfl_down_sync with a partial mask is not emulated");
    }
    int t = emu::current->linear, warp = t / 32, lane = t % 32;
    if ((warp + 1) * 32 > emu::threads_in_block()) {
        throw std::runtime_error("__shfl_down_sync in a partial warp: the block size must be a multiple of 32");
    }
    for (int l = 0; l < 32; l++) {
        if (emu::fibers[warp * 32 + l].state == emu::DONE) {
            throw std::runtime_error("__shfl_down_sync in a warp whose lane " + std::to_string(l) + " has exited");
        }
    }
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    emu::warp_slots[warp * 32 + lane] = bits;
    __syncwarp();
    T r = v;
    if (lane + delta < 32) {
        uint64_t other = emu::warp_slots[warp * 32 + lane + delta];
        std::memcpy(&r, &other, sizeof(T));
    }
    __syncwarp();
    return r;
}
