// cuda_on_cpu.h: just enough of CUDA to run scratchnet's kernels on a CPU. Include it before the
// .cu files and compile them with g++. Two users:
//   - src/test/cuda/kernels_on_cpu_test.cpp, which calls emu::launch(kernel, grid, block, args...)
//     under AddressSanitizer;
//   - the emulated driver (native/cuda-emulator/driver.cpp, libcuda.so.1), which calls
//     emu::run_grid for cuLaunchKernel.
//
// Each CUDA thread of a block is a cooperative fiber; blocks run one after another. A thread that
// finishes without waiting gives its stack to the next thread, so a kernel without barriers costs
// two context switches a thread. __syncthreads() and the warp shuffles are barriers: a fiber that
// reaches one gives control back, and the scheduler releases a barrier once every live thread of
// the block (or warp) is at it. A barrier that cannot be released (some threads at a different
// barrier) is a divergent barrier, undefined behaviour on a GPU: the launch stops with a fault.
// __shared__ variables become static locals: one copy, shared by the threads of the block that is
// running. A fault inside a fiber (a divergent barrier, a shuffle in a partial warp) is reported by
// run_grid returning false with emu::fault_message; nothing is thrown across a fiber's stack.
//
// Fibers switch with a few instructions of assembly on x86-64 (no system call, unlike
// swapcontext's signal-mask save); elsewhere, and under AddressSanitizer (which must see the
// stack switches), with ucontext.
//
// What the emulated driver's build reads from the compiled modules (objdump -t): a kernel is an
// extern "C" function that is not hidden (__device__ functions are marked hidden), and
// __launch_bounds__(n) puts the kernel into the section .text.sn_launch_bounds.n, so that a larger
// block is refused as a GPU refuses it.
//
// What this cannot show: speed, memory coalescing, bank conflicts, races that depend on the
// hardware's scheduling (fibers run in a fixed order), or anything about PTX and the driver.
#pragma once
#define SCRATCHNET_CUDA_ON_CPU 1

#include <sys/mman.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <math.h>

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define SN_EMU_ASM_SWITCH 1
#else
#include <ucontext.h>
#endif

using std::max;
using std::min;

#define __global__
#define __device__ __attribute__((visibility("hidden")))
#define __host__
#define __forceinline__ inline
#define SN_EMU_STRINGIFY(...) #__VA_ARGS__
// (the section's name is quoted for the assembler: the bound may be an expression with spaces)
#define __launch_bounds__(n, ...) __attribute__((section("\".text.sn_launch_bounds." SN_EMU_STRINGIFY(n) "\"")))
#define __shared__ static

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
struct alignas(8) float2 { float x, y; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) double2 { double x, y; };
struct alignas(8) int2 { int x, y; };
struct alignas(16) int4 { int x, y, z, w; };

namespace emu {

enum State { NOT_STARTED, RUNNABLE, AT_BLOCK_BARRIER, AT_WARP_BARRIER, AT_SHUFFLE, DONE, FAULTED };

/** A fiber's stack: mmap'd (pages are touched only as used), with an inaccessible guard page below. */
struct Stack {
    char* base = nullptr;   // lowest usable byte
    size_t size = 0;
};

struct Fiber {
#ifdef SN_EMU_ASM_SWITCH
    void* sp = nullptr;
#else
    ucontext_t context;
#endif
    Stack stack;
    dim3 tid;
    int linear = 0;
    State state = NOT_STARTED;
    int waits_for = -1;                 // AT_SHUFFLE: the lane whose value it needs
    uint32_t shuffles = 0;              // shuffles done so far in this block
    std::vector<uint64_t> shuffled;     // the value given to each of them
};

constexpr size_t STACK_BYTES = 256 * 1024;

inline std::vector<Fiber> fibers;
inline std::vector<int> order;          // the order fibers run in: warps in turn, lanes from 31 down to 0
inline std::vector<Stack> free_stacks;
inline Fiber* current = nullptr;
inline dim3 block_index, block_dim, grid_dim;
inline void (*body_fn)(const void*) = nullptr;
inline const void* body_arg = nullptr;
inline bool faulted = false;
inline std::string fault_message;

#ifdef SN_EMU_ASM_SWITCH
inline void* scheduler_sp = nullptr;

// switch_stack(save, to): pushes the callee-saved registers, stores the stack pointer in *save,
// loads `to` and pops the same from there. The floating-point control state is the thread's,
// shared by its fibers (nothing here changes it).
__attribute__((naked, noinline)) inline void switch_stack(void** /*save*/, void* /*to*/) {
    asm volatile(
        "pushq %rbp\n\t"
        "pushq %rbx\n\t"
        "pushq %r12\n\t"
        "pushq %r13\n\t"
        "pushq %r14\n\t"
        "pushq %r15\n\t"
        "movq %rsp, (%rdi)\n\t"
        "movq %rsi, %rsp\n\t"
        "popq %r15\n\t"
        "popq %r14\n\t"
        "popq %r13\n\t"
        "popq %r12\n\t"
        "popq %rbx\n\t"
        "popq %rbp\n\t"
        "ret\n\t");
}
#else
inline ucontext_t scheduler;
#endif

inline Stack take_stack() {
    if (!free_stacks.empty()) {
        Stack s = free_stacks.back();
        free_stacks.pop_back();
        return s;
    }
    size_t page = (size_t) sysconf(_SC_PAGESIZE);
    void* p = mmap(nullptr, STACK_BYTES + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        std::fprintf(stderr, "cuda_on_cpu: cannot map a %zu-byte fiber stack\n", STACK_BYTES);
        std::abort();
    }
    mprotect(p, page, PROT_NONE);
    return Stack{static_cast<char*>(p) + page, STACK_BYTES};
}

inline void give_stack(Fiber& f) {
    if (f.stack.base != nullptr) {
        free_stacks.push_back(f.stack);
        f.stack = Stack{};
    }
}

inline void to_scheduler() {
#ifdef SN_EMU_ASM_SWITCH
    switch_stack(&current->sp, scheduler_sp);
#else
    swapcontext(&current->context, &scheduler);
#endif
}

inline void fiber_main() {
    body_fn(body_arg);
    current->state = DONE;
    to_scheduler();
    __builtin_unreachable();
}

/** Runs fiber f until it waits, finishes or faults; starts it first if it has not started. */
inline void resume(Fiber& f) {
    current = &f;
    if (f.state == NOT_STARTED) {
        f.stack = take_stack();
        f.state = RUNNABLE;
#ifdef SN_EMU_ASM_SWITCH
        // the frame switch_stack pops: r15..r12, rbx, rbp, then the return address (fiber_main)
        // and a zero "return address" for fiber_main itself
        uintptr_t top = (reinterpret_cast<uintptr_t>(f.stack.base) + f.stack.size) & ~uintptr_t(15);
        uint64_t* sp = reinterpret_cast<uint64_t*>(top);
        *--sp = 0;
        *--sp = reinterpret_cast<uint64_t>(&fiber_main);
        for (int r = 0; r < 6; r++) {
            *--sp = 0;
        }
        f.sp = sp;
#else
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack.base;
        f.context.uc_stack.ss_size = f.stack.size;
        f.context.uc_link = &scheduler;
        makecontext(&f.context, fiber_main, 0);
#endif
    }
#ifdef SN_EMU_ASM_SWITCH
    switch_stack(&scheduler_sp, f.sp);
#else
    swapcontext(&scheduler, &f.context);
#endif
}

inline void yield(State s) {
    current->state = s;
    to_scheduler();
}

/** Stops the launch: called from a fiber, which is never resumed. */
[[noreturn]] inline void fault(const std::string& message) {
    faulted = true;
    fault_message = message;
    current->state = FAULTED;
    to_scheduler();
    __builtin_unreachable();
}

inline int threads_in_block() {
    return (int) (block_dim.x * block_dim.y * block_dim.z);
}

inline std::string block_name() {
    return "(" + std::to_string(block_index.x) + "," + std::to_string(block_index.y) + "," + std::to_string(block_index.z) + ")";
}

inline void abandon_block(int n) {
    for (int u = 0; u < n; u++) {
        give_stack(fibers[u]);
    }
}

/**
 * Runs one block of body to completion; false (fault_message says why) on a fault. Each round runs
 * every fiber that can run, in `order`, until it waits or ends; then releases a warp barrier whose
 * live lanes all wait, the fibers whose shuffle partner has got there, and else the block barrier
 * once every live thread waits at it. A round in which nothing ran and nothing was released is a
 * divergent barrier.
 */
inline bool run_block() {
    int n = threads_in_block();
    if ((int) fibers.size() < n) {
        fibers.resize(n);
    }
    if ((int) order.size() != n) {
        order.resize(n);
        for (int w = 0; w * 32 < n; w++) {
            int last = std::min(n, w * 32 + 32) - 1;
            for (int t = last; t >= w * 32; t--) {
                order[w * 32 + (last - t)] = t;
            }
        }
    }
    int warps = (n + 31) / 32;
    int done = 0, atBlock = 0, atShuffle = 0;
    int doneInWarp[32] = {0}, atWarpBarrier[32] = {0};
    for (int t = 0; t < n; t++) {
        Fiber& f = fibers[t];
        f.linear = t;
        f.tid = dim3(t % block_dim.x, (t / block_dim.x) % block_dim.y, t / (block_dim.x * block_dim.y));
        f.state = NOT_STARTED;
        f.shuffles = 0;
        f.shuffled.clear();
    }
    while (true) {
        bool ran = false;
        for (int i = 0; i < n; i++) {
            Fiber& f = fibers[order[i]];
            if (f.state != NOT_STARTED && f.state != RUNNABLE) {
                continue;
            }
            resume(f);
            ran = true;
            switch (f.state) {
                case DONE:
                    give_stack(f);
                    done++;
                    doneInWarp[f.linear >> 5]++;
                    break;
                case AT_BLOCK_BARRIER: atBlock++; break;
                case AT_WARP_BARRIER: atWarpBarrier[f.linear >> 5]++; break;
                case AT_SHUFFLE: atShuffle++; break;
                default:
                    if (faulted) {
                        abandon_block(n);
                        return false;
                    }
                    break;
            }
        }
        if (done == n) {
            return true;
        }
        bool released = false;
        for (int w = 0; w < warps; w++) {
            int lanes = std::min(n, w * 32 + 32) - w * 32;
            if (atWarpBarrier[w] > 0 && atWarpBarrier[w] == lanes - doneInWarp[w]) {
                for (int t = w * 32; t < w * 32 + lanes; t++) {
                    if (fibers[t].state == AT_WARP_BARRIER) {
                        fibers[t].state = RUNNABLE;
                    }
                }
                atWarpBarrier[w] = 0;
                released = true;
            }
        }
        if (atShuffle > 0) {
            for (int t = 0; t < n; t++) {
                Fiber& f = fibers[t];
                if (f.state == AT_SHUFFLE) {
                    const Fiber& partner = fibers[f.waits_for];
                    if (partner.shuffles >= f.shuffles || partner.state == DONE) {
                        f.state = RUNNABLE;
                        atShuffle--;
                        released = true;
                    }
                }
            }
        }
        if (!released && atBlock > 0 && atBlock == n - done) {
            for (int t = 0; t < n; t++) {
                if (fibers[t].state == AT_BLOCK_BARRIER) {
                    fibers[t].state = RUNNABLE;
                }
            }
            atBlock = 0;
            released = true;
        }
        if (!released && !ran) {
            faulted = true;
            fault_message = "divergent barrier in block " + block_name() + ": " + std::to_string(atBlock)
                            + " threads at __syncthreads, the others elsewhere";
            abandon_block(n);
            return false;
        }
    }
}

/**
 * Runs body(arg) once for every thread of the grid, block after block. Returns false on a fault,
 * with fault_message naming it and the block.
 */
inline bool run_grid(dim3 grid, dim3 block, void (*body)(const void*), const void* arg) {
    grid_dim = grid;
    block_dim = block;
    body_fn = body;
    body_arg = arg;
    faulted = false;
    fault_message.clear();
    for (unsigned z = 0; z < grid.z; z++) {
        for (unsigned y = 0; y < grid.y; y++) {
            for (unsigned x = 0; x < grid.x; x++) {
                block_index = dim3(x, y, z);
                if (!run_block()) {
                    body_arg = nullptr;
                    return false;
                }
            }
        }
    }
    body_arg = nullptr;
    return true;
}

/** For tests: runs kernel(args...) over the grid; throws std::runtime_error on a fault. */
template <typename... P, typename... A>
void launch(void (*kernel)(P...), dim3 grid, dim3 block, A... args) {
    auto call = [&]() { kernel(args...); };
    using Call = decltype(call);
    if (!run_grid(grid, block, [](const void* c) { (*static_cast<const Call*>(c))(); }, &call)) {
        throw std::runtime_error(fault_message);
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

// Shuffles need no barrier of their own: each lane keeps the value it gave to each of its shuffles,
// and a lane reads its partner's value for the same shuffle once the partner has got there (it waits
// if not). Lanes run from 31 down to 0, so the partner of __shfl_down_sync (a higher lane) is
// usually there already. Only full masks are emulated; width splits the warp into segments.
namespace emu {
template <typename T>
T shuffle(const char* name, unsigned mask, T v, int src_lane_in_segment, int width, bool own_if_outside) {
    static_assert(sizeof(T) <= 8, "shuffles of up to 8 bytes");
    Fiber& me = *current;
    if (mask != 0xffffffffu) {
        fault(std::string(name) + " with a partial mask is not emulated (block " + block_name() + ")");
    }
    if (width < 1 || width > 32 || (width & (width - 1)) != 0) {
        fault(std::string(name) + " with width " + std::to_string(width) + ": a power of two up to 32 (block " + block_name() + ")");
    }
    int t = me.linear, warp = t / 32, lane = t % 32;
    if ((warp + 1) * 32 > threads_in_block()) {
        fault(std::string(name) + " in a partial warp: the block size must be a multiple of 32 (block " + block_name() + ")");
    }
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    me.shuffled.push_back(bits);
    uint32_t k = me.shuffles++;
    int segment = lane / width * width;
    if (src_lane_in_segment < 0 || src_lane_in_segment >= width) {
        if (own_if_outside) {
            return v;
        }
        src_lane_in_segment = ((src_lane_in_segment % width) + width) % width;
    }
    int src = warp * 32 + segment + src_lane_in_segment;
    if (src == t) {
        return v;
    }
    Fiber& partner = fibers[src];
    while (partner.shuffles <= k) {
        if (partner.state == DONE) {
            fault(std::string(name) + " in a warp whose lane " + std::to_string(src % 32) + " has exited (block " + block_name()
                  + ")");
        }
        me.waits_for = src;
        yield(AT_SHUFFLE);
    }
    T r;
    std::memcpy(&r, &partner.shuffled[k], sizeof(T));
    return r;
}
}  // namespace emu

template <typename T>
T __shfl_down_sync(unsigned mask, T v, int delta, int width = 32) {
    int lane = emu::current->linear % 32 % width;
    return emu::shuffle("__shfl_down_sync", mask, v, lane + delta, width, true);
}

template <typename T>
T __shfl_up_sync(unsigned mask, T v, int delta, int width = 32) {
    int lane = emu::current->linear % 32 % width;
    return emu::shuffle("__shfl_up_sync", mask, v, lane - delta, width, true);
}

template <typename T>
T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
    int lane = emu::current->linear % 32 % width;
    return emu::shuffle("__shfl_xor_sync", mask, v, lane ^ lane_mask, width, true);
}

template <typename T>
T __shfl_sync(unsigned mask, T v, int src_lane, int width = 32) {
    return emu::shuffle("__shfl_sync", mask, v, src_lane, width, false);
}

// ---- TF32 tensor cores: common.cuh's tf32_round and mma_m16n8k8_tf32 ---------------------------
// tf32_round: cvt.rna.tf32.f32, round to nearest with ties away from zero to 10 mantissa bits (the
// 13 low bits dropped, half of them added to the magnitude first); NaN and Inf as they are. A
// finite value whose rounding passes the largest TF32 value becomes Inf, as on the GPU.
inline unsigned tf32_round(float x) {
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    if ((u & 0x7f800000u) == 0x7f800000u) {
        return u;
    }
    return (u + 0x1000u) & 0xffffe000u;
}

// mma_m16n8k8_tf32: the warp-collective D = A·B + D with the PTX ISA's fragment layout (common.cuh).
// Each lane writes its registers to its warp's scratch, waits at a warp barrier, computes its four
// outputs from every lane's registers, and waits again before the scratch may be reused. Operands
// are read as TF32 (their 13 low bits ignored, as the tensor cores ignore them); each product of two
// TF32 values is exact in float, and the eight are added in k order in float.
namespace emu {
struct MmaWarp {
    uint32_t a[32][4];
    uint32_t b[32][2];
};
inline std::vector<MmaWarp> mma_scratch;

inline float tf32_value(uint32_t bits) {
    bits &= 0xffffe000u;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}
}  // namespace emu

inline void mma_m16n8k8_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
    emu::Fiber& me = *emu::current;
    int t = me.linear, warp = t / 32, lane = t % 32;
    if ((warp + 1) * 32 > emu::threads_in_block()) {
        emu::fault("mma.sync in a partial warp: the block size must be a multiple of 32 (block " + emu::block_name() + ")");
    }
    // one scratch per warp of the block, sized before any lane holds a reference across a barrier
    size_t warps = (size_t) (emu::threads_in_block() / 32);
    if (emu::mma_scratch.size() < warps) {
        emu::mma_scratch.resize(warps);
    }
    for (int r = 0; r < 4; r++) {
        emu::mma_scratch[warp].a[lane][r] = a[r];
    }
    emu::mma_scratch[warp].b[lane][0] = b[0];
    emu::mma_scratch[warp].b[lane][1] = b[1];
    __syncwarp();
    const emu::MmaWarp& w = emu::mma_scratch[warp];
    for (int l = warp * 32; l < warp * 32 + 32; l++) {
        if (emu::fibers[l].state == emu::DONE) {
            emu::fault("mma.sync in a warp whose lane " + std::to_string(l % 32) + " has exited (block " + emu::block_name() + ")");
        }
    }
    // A(row, k): lane 4*(row % 8) + k % 4, register (row >= 8) + 2 * (k >= 4); B(k, col): lane
    // 4*col + k % 4, register (k >= 4)
    int g = lane >> 2, tig = lane & 3;
    float out[4];
    for (int r = 0; r < 4; r++) {
        int row = g + (r >> 1) * 8, col = 2 * tig + (r & 1);
        float s = d[r];
        for (int k = 0; k < 8; k++) {
            float x = emu::tf32_value(w.a[4 * (row % 8) + k % 4][(row >= 8 ? 1 : 0) + (k >= 4 ? 2 : 0)]);
            float y = emu::tf32_value(w.b[4 * col + k % 4][k >= 4 ? 1 : 0]);
            s += x * y;
        }
        out[r] = s;
    }
    __syncwarp();
    for (int r = 0; r < 4; r++) {
        d[r] = out[r];
    }
}

inline void __trap() {
    emu::fault("__trap() (block " + emu::block_name() + ")");
}

// Atomics: fibers never run at once, so a read-modify-write is atomic as written.
template <typename T>
T atomicAdd(T* p, T v) {
    T old = *p;
    *p = old + v;
    return old;
}
template <typename T>
T atomicMax(T* p, T v) {
    T old = *p;
    *p = old > v ? old : v;
    return old;
}
template <typename T>
T atomicMin(T* p, T v) {
    T old = *p;
    *p = old < v ? old : v;
    return old;
}
template <typename T>
T atomicExch(T* p, T v) {
    T old = *p;
    *p = v;
    return old;
}

template <typename T>
T __ldg(const T* p) {
    return *p;
}

inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }
