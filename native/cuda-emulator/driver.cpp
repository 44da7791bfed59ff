// driver.cpp: scratchnet's emulated CUDA driver. The driver API functions the CUDA backend calls
// (through JCuda), with NVIDIA's names, signatures, result codes and semantics, running the kernels
// of kernels/cuda (compiled into this library by build.sh) on the CPU through cuda_on_cpu.h.
//
// What it emulates, and where it is stricter than a GPU (docs/DESIGN.md, "The emulated CUDA driver"):
// - Devices: SCRATCHNET_CUDA_EMULATOR_DEVICES is a comma list of memory sizes in MiB, one device
//   each (default 4096). The name says "emulated on the CPU"; compute capability 7.5 (the PTX
//   target) unless SCRATCHNET_EMULATED_CC says another (one MAJOR.MINOR for all, or one per device:
//   tests of --tf32 use 9.0), one multiprocessor, warps of 32, 1024 threads a block, 48 KiB of
//   shared memory.
// - Contexts: the primary context of each device, retained and released with a count; released to
//   zero, everything in it is freed. The current context is per thread.
// - Work on the stream (launches, memsets, device copies, event records) is queued and runs when
//   the host waits: cuCtxSynchronize, cuStreamSynchronize, cuEventSynchronize/Query, the
//   synchronous copies, cuModuleUnload, or when 1024 operations are waiting. cuMemFree does not
//   wait (NVIDIA's "may" synchronize), so memory freed while a queued launch still uses it is
//   found. A fault while work runs is sticky, as on a GPU: every later call in the context returns
//   it until the primary context is released.
// - Memory: each device has one arena; an allocation is 256-byte aligned, filled with 0xFF (NaN)
//   as uninitialised memory, between two guard zones. After each launch every live allocation's
//   guards are checked: a write outside is CUDA_ERROR_ILLEGAL_ADDRESS naming the kernel. Before a
//   launch runs, each pointer argument (the kernel's own parameter types say which are pointers)
//   must lie inside a live allocation and be aligned for its type. Freed memory waits in a
//   quarantine before it is reused, so that a stale pointer is not inside a new allocation.
// - Modules: cuModuleLoadData accepts only the images this build produced (their SHA-256 is
//   compiled in: nvcc's fatbin and PTX, and the .emu stand-in); each names a module of kernels.
// - Launches: the limits of a GPU (grid, block, threads a block, the kernel's __launch_bounds__,
//   shared memory) are checked and refused with the driver's codes.
// - cuGetErrorString returns NVIDIA's text for each code, followed by what the emulation saw
//   (the kernel, the argument, the allocation) for the last error of that code.
//
// It shows nothing about speed, PTX compilation by a driver, or real concurrency.
#include "cuda_on_cpu.h"
#include "kernel_registry.h"

#include <time.h>

#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#define SN_API extern "C" __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

namespace {

// ---- result codes, as in cuda.h ---------------------------------------------------------------
enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_DEINITIALIZED = 4,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_SOURCE = 300,
    CUDA_ERROR_FILE_NOT_FOUND = 301,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_CONTEXT_IS_DESTROYED = 709,
    CUDA_ERROR_MISALIGNED_ADDRESS = 716,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_UNKNOWN = 999,
};

struct ErrorText {
    int code;
    const char* name;
    const char* text;
};

const ErrorText ERRORS[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_DEINITIALIZED, "CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain."},
    {CUDA_ERROR_INVALID_SOURCE, "CUDA_ERROR_INVALID_SOURCE", "device kernel image is invalid"},
    {CUDA_ERROR_FILE_NOT_FOUND, "CUDA_ERROR_FILE_NOT_FOUND", "file not found"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {CUDA_ERROR_CONTEXT_IS_DESTROYED, "CUDA_ERROR_CONTEXT_IS_DESTROYED", "context is destroyed"},
    {CUDA_ERROR_MISALIGNED_ADDRESS, "CUDA_ERROR_MISALIGNED_ADDRESS", "misaligned address"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

// ---- device attributes, as in cuda.h ------------------------------------------------------------
enum : int {
    ATTR_MAX_THREADS_PER_BLOCK = 1,
    ATTR_MAX_BLOCK_DIM_X = 2,
    ATTR_MAX_BLOCK_DIM_Y = 3,
    ATTR_MAX_BLOCK_DIM_Z = 4,
    ATTR_MAX_GRID_DIM_X = 5,
    ATTR_MAX_GRID_DIM_Y = 6,
    ATTR_MAX_GRID_DIM_Z = 7,
    ATTR_MAX_SHARED_MEMORY_PER_BLOCK = 8,
    ATTR_TOTAL_CONSTANT_MEMORY = 9,
    ATTR_WARP_SIZE = 10,
    ATTR_MAX_REGISTERS_PER_BLOCK = 12,
    ATTR_CLOCK_RATE = 13,
    ATTR_MULTIPROCESSOR_COUNT = 16,
    ATTR_KERNEL_EXEC_TIMEOUT = 17,
    ATTR_INTEGRATED = 18,
    ATTR_CONCURRENT_KERNELS = 31,
    ATTR_MAX_THREADS_PER_MULTIPROCESSOR = 39,
    ATTR_UNIFIED_ADDRESSING = 41,
    ATTR_COMPUTE_CAPABILITY_MAJOR = 75,
    ATTR_COMPUTE_CAPABILITY_MINOR = 76,
    ATTR_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR = 81,
    ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
};

constexpr unsigned MAX_THREADS = 1024;
constexpr unsigned MAX_BLOCK_XY = 1024, MAX_BLOCK_Z = 64;
constexpr unsigned MAX_GRID_X = 2147483647u, MAX_GRID_YZ = 65535;
constexpr unsigned SHARED_PER_BLOCK = 48 * 1024;
constexpr size_t ALIGNMENT = 256;
constexpr size_t GUARD = 512;               // bytes of guard zone before and after each allocation
constexpr unsigned char GUARD_BYTE = 0xA5;
constexpr unsigned char FRESH_BYTE = 0xFF;  // new memory reads as NaN
constexpr size_t MAX_QUEUED = 1024;
constexpr int DRIVER_VERSION = 13000;

// ---- SHA-256 (FIPS 180-4), to recognise the images this build produced -------------------------
struct Sha256 {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char block[64];
    size_t used = 0;
    uint64_t bits = 0;

    static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

    void compress(const unsigned char* p) {
        static const uint32_t k[64] = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
            0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
            0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
            0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
            0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
            0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        uint32_t w[64];
        for (int i = 0; i < 16; i++) {
            w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 | (uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
        }
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }

    void add(const unsigned char* p, size_t n) {
        bits += (uint64_t) n * 8;
        while (n > 0) {
            size_t take = std::min(n, 64 - used);
            std::memcpy(block + used, p, take);
            used += take;
            p += take;
            n -= take;
            if (used == 64) {
                compress(block);
                used = 0;
            }
        }
    }

    std::string hex() {
        uint64_t total = bits;
        unsigned char pad = 0x80;
        add(&pad, 1);
        unsigned char zero = 0;
        while (used != 56) {
            add(&zero, 1);
        }
        unsigned char len[8];
        for (int i = 0; i < 8; i++) {
            len[i] = (unsigned char) (total >> (56 - 8 * i));
        }
        add(len, 8);
        char out[65];
        for (int i = 0; i < 8; i++) {
            std::snprintf(out + 8 * i, 9, "%08x", h[i]);
        }
        return std::string(out, 64);
    }
};

// ---- state ---------------------------------------------------------------------------------------
struct Context;
struct Module;

struct Function {
    Module* module;
    const emu::Entry* entry;
};

struct Module {
    Context* context;
    const emu::ModuleInfo* info;
    std::map<std::string, Function*> functions;
};

struct Event {
    Context* context;
    unsigned flags;
    int pending = 0;          // records queued and not yet run
    bool recorded = false;    // cuEventRecord was called at least once
    bool destroyed = false;   // destroyed while a record was queued: deleted when it runs
    timespec time{};
};

struct Allocation {
    uintptr_t base;       // what cuMemAlloc returned
    size_t size;          // bytes asked for
    size_t offset;        // of the block (front guard) in the arena
    size_t block;         // bytes of the block: guards, the allocation, padding
};

/** A device's memory: one region of address space, first fit, with a free list that coalesces. */
struct Arena {
    char* base = nullptr;
    size_t size = 0;
    std::map<size_t, size_t> free;   // offset -> bytes

    bool open(size_t bytes) {
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            return false;
        }
        base = static_cast<char*>(p);
        size = bytes;
        free.clear();
        free[0] = bytes;
        return true;
    }

    void close() {
        if (base != nullptr) {
            munmap(base, size);
        }
        base = nullptr;
        size = 0;
        free.clear();
    }

    bool take(size_t bytes, size_t& offset) {
        for (auto it = free.begin(); it != free.end(); ++it) {
            if (it->second >= bytes) {
                offset = it->first;
                size_t rest = it->second - bytes;
                free.erase(it);
                if (rest > 0) {
                    free[offset + bytes] = rest;
                }
                return true;
            }
        }
        return false;
    }

    void give(size_t offset, size_t bytes) {
        // return whole pages to the system
        size_t page = (size_t) sysconf(_SC_PAGESIZE);
        size_t first = (offset + page - 1) / page * page, last = (offset + bytes) / page * page;
        if (last > first) {
            madvise(base + first, last - first, MADV_DONTNEED);
        }
        auto next = free.lower_bound(offset);
        if (next != free.end() && offset + bytes == next->first) {
            bytes += next->second;
            next = free.erase(next);
        }
        if (next != free.begin()) {
            auto prev = std::prev(next);
            if (prev->first + prev->second == offset) {
                prev->second += bytes;
                return;
            }
        }
        free[offset] = bytes;
    }
};

struct Op {
    enum Kind { LAUNCH, MEMSET, COPY, RECORD } kind;
    const Function* function = nullptr;
    std::string kernel;
    dim3 grid, block;
    std::unique_ptr<std::max_align_t[]> packed;
    uintptr_t dst = 0, src = 0;
    size_t bytes = 0;
    unsigned value = 0;
    unsigned width = 1;   // bytes per memset element
    Event* event = nullptr;
};

struct Context {
    int device = 0;
    int retained = 0;
    bool active = false;
    CUresult sticky = CUDA_SUCCESS;
    std::string sticky_detail;
    Arena arena;
    std::map<uintptr_t, Allocation> live;   // by base
    std::deque<Allocation> quarantine;
    size_t quarantined = 0;
    size_t in_use = 0;                       // bytes of the live allocations' blocks
    std::set<Module*> modules;
    std::set<Event*> events;
    std::deque<Op> queue;
};

struct Device {
    std::string name;
    size_t memory;
    Context* primary;
    int major = 7, minor = 5;   // compute capability (SCRATCHNET_EMULATED_CC)
};

std::recursive_mutex api;
bool initialized = false;
std::vector<Device> devices;
thread_local Context* current = nullptr;
std::set<const Module*> live_modules;
std::set<const Function*> live_functions;
std::set<const Event*> live_events;
std::map<int, std::string> details;   // the text cuGetErrorString returns for each code: NVIDIA's, then what was seen

const ErrorText* error_text(int code) {
    for (const ErrorText& e : ERRORS) {
        if (e.code == code) {
            return &e;
        }
    }
    return nullptr;
}

/** Returns code, remembering detail as the emulation's account of it for cuGetErrorString. */
CUresult fail(CUresult code, const std::string& detail) {
    const ErrorText* e = error_text(code);
    std::string text = e != nullptr ? e->text : "unknown error";
    if (!detail.empty()) {
        text += " [scratchnet emulated CUDA driver: " + detail + "]";
    }
    details[code] = text;
    return code;
}

std::string hex(uintptr_t p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long) p);
    return buf;
}

std::string dims(dim3 d) {
    return std::to_string(d.x) + "x" + std::to_string(d.y) + "x" + std::to_string(d.z);
}

// ---- devices, from SCRATCHNET_CUDA_EMULATOR_DEVICES ----------------------------------------------
CUresult make_devices() {
    const char* env = std::getenv("SCRATCHNET_CUDA_EMULATOR_DEVICES");
    std::string spec = env != nullptr && *env != '\0' ? env : "4096";
    std::vector<size_t> sizes;
    std::stringstream in(spec);
    std::string item;
    while (std::getline(in, item, ',')) {
        char* end = nullptr;
        unsigned long long mib = std::strtoull(item.c_str(), &end, 10);
        if (item.empty() || end == nullptr || *end != '\0' || mib < 1 || mib > 1024 * 1024) {
            return fail(CUDA_ERROR_INVALID_VALUE, "SCRATCHNET_CUDA_EMULATOR_DEVICES='" + spec
                                                          + "': expected a comma list of device memory sizes in MiB, 1 to 1048576");
        }
        sizes.push_back((size_t) mib << 20);
    }
    if (sizes.empty() || sizes.size() > 16) {
        return fail(CUDA_ERROR_INVALID_VALUE, "SCRATCHNET_CUDA_EMULATOR_DEVICES='" + spec + "': expected 1 to 16 devices");
    }
    // SCRATCHNET_EMULATED_CC: the compute capability each device reports, MAJOR.MINOR, one for all
    // devices or a comma list with one per device (default 7.5); the kernels run on the CPU the same
    // whatever it says, so tests can take the host's paths for newer GPUs (--tf32 needs 8.0)
    const char* cc_env = std::getenv("SCRATCHNET_EMULATED_CC");
    std::string cc_spec = cc_env != nullptr && *cc_env != '\0' ? cc_env : "7.5";
    std::vector<std::pair<int, int>> ccs;
    std::stringstream cc_in(cc_spec);
    while (std::getline(cc_in, item, ',')) {
        int major = -1, minor = -1;
        char end = 0;
        if (std::sscanf(item.c_str(), "%d.%d%c", &major, &minor, &end) != 2 || major < 1 || major > 20 || minor < 0 || minor > 9) {
            return fail(CUDA_ERROR_INVALID_VALUE, "SCRATCHNET_EMULATED_CC='" + cc_spec
                                                          + "': expected a compute capability MAJOR.MINOR (as 9.0), or a comma list of one per device");
        }
        ccs.emplace_back(major, minor);
    }
    if (ccs.size() != 1 && ccs.size() != sizes.size()) {
        return fail(CUDA_ERROR_INVALID_VALUE, "SCRATCHNET_EMULATED_CC='" + cc_spec + "': " + std::to_string(ccs.size())
                                                      + " compute capabilities for " + std::to_string(sizes.size())
                                                      + " devices (give one for all, or one per device)");
    }
    for (size_t i = 0; i < sizes.size(); i++) {
        Context* c = new Context();
        c->device = (int) i;
        Device d{"scratchnet CUDA device " + std::to_string(i) + ", emulated on the CPU", sizes[i], c};
        d.major = ccs[ccs.size() == 1 ? 0 : i].first;
        d.minor = ccs[ccs.size() == 1 ? 0 : i].second;
        devices.push_back(d);
    }
    return CUDA_SUCCESS;
}

CUresult check_init() {
    if (!initialized) {
        return fail(CUDA_ERROR_NOT_INITIALIZED, "cuInit has not been called");
    }
    return CUDA_SUCCESS;
}

CUresult check_device(CUdevice d) {
    CUresult r = check_init();
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (d < 0 || d >= (int) devices.size()) {
        return fail(CUDA_ERROR_INVALID_DEVICE, "device " + std::to_string(d) + " does not exist (there are "
                                                       + std::to_string(devices.size()) + ")");
    }
    return CUDA_SUCCESS;
}

/** The calling thread's context, active and without a sticky error; else the code to return. */
CUresult context(Context*& c, bool allow_sticky = false) {
    CUresult r = check_init();
    if (r != CUDA_SUCCESS) {
        return r;
    }
    c = current;
    if (c == nullptr) {
        return fail(CUDA_ERROR_INVALID_CONTEXT, "no context is current on this thread (cuCtxSetCurrent)");
    }
    if (!c->active) {
        return fail(CUDA_ERROR_CONTEXT_IS_DESTROYED, "the current context is a primary context that has been released");
    }
    if (c->sticky != CUDA_SUCCESS && !allow_sticky) {
        return fail(c->sticky, c->sticky_detail);
    }
    return CUDA_SUCCESS;
}

// ---- memory --------------------------------------------------------------------------------------
const Allocation* find(Context* c, uintptr_t p) {
    auto it = c->live.upper_bound(p);
    if (it == c->live.begin()) {
        return nullptr;
    }
    --it;
    const Allocation& a = it->second;
    return p >= a.base && p < a.base + a.size ? &a : nullptr;
}

const Allocation* find_freed(Context* c, uintptr_t p) {
    for (const Allocation& a : c->quarantine) {
        if (p >= a.base && p < a.base + a.size) {
            return &a;
        }
    }
    return nullptr;
}

/** Why [p, p+n) is not inside one live allocation, or "" when it is. */
std::string range_problem(Context* c, uintptr_t p, size_t n) {
    const Allocation* a = find(c, p);
    if (a == nullptr) {
        if (find_freed(c, p) != nullptr) {
            return hex(p) + " points into memory already freed by cuMemFree";
        }
        return hex(p) + " is not inside any live allocation";
    }
    if (n > a->size - (p - a->base)) {
        return "the " + std::to_string(n) + " bytes at " + hex(p) + " run past the end of the " + std::to_string(a->size)
               + "-byte allocation at " + hex(a->base);
    }
    return "";
}

/** Returns a block from the quarantine to the arena (its bytes left in_use when it was freed). */
void release_block(Context* c, const Allocation& a) {
    c->arena.give(a.offset, a.block);
}

void flush_quarantine(Context* c, size_t keep) {
    while (c->quarantined > keep && !c->quarantine.empty()) {
        Allocation a = c->quarantine.front();
        c->quarantine.pop_front();
        c->quarantined -= a.block;
        release_block(c, a);
    }
}

/** Whether n bytes at p still hold the guard pattern; else the first and last bytes that do not. */
bool guard_intact(const unsigned char* p, size_t n, size_t& first_bad, size_t& last_bad) {
    size_t i = 0;
    const uint64_t pattern = 0x0101010101010101ull * GUARD_BYTE;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        std::memcpy(&v, p + i, 8);
        if (v != pattern) {
            break;
        }
    }
    for (; i < n; i++) {
        if (p[i] != GUARD_BYTE) {
            first_bad = i;
            last_bad = i;
            for (size_t j = n; j > i; j--) {
                if (p[j - 1] != GUARD_BYTE) {
                    last_bad = j - 1;
                    break;
                }
            }
            return false;
        }
    }
    return true;
}

void paint_guards(Context* c, const Allocation& a) {
    char* block = c->arena.base + a.offset;
    std::memset(block, GUARD_BYTE, GUARD);
    size_t tail = a.offset + a.block - (a.base - (uintptr_t) c->arena.base + a.size);
    std::memset(reinterpret_cast<char*>(a.base + a.size), GUARD_BYTE, tail);
}

/** The first allocation whose guard zones were written, described; "" when all are intact. */
std::string damaged_guard(Context* c, uintptr_t& which) {
    for (auto& [base, a] : c->live) {
        const unsigned char* block = reinterpret_cast<const unsigned char*>(c->arena.base + a.offset);
        size_t first, last;
        if (!guard_intact(block, GUARD, first, last)) {
            which = base;
            return "wrote up to " + std::to_string(GUARD - first) + " bytes before the start of the " + std::to_string(a.size)
                   + "-byte allocation at " + hex(base);
        }
        const unsigned char* after = reinterpret_cast<const unsigned char*>(a.base + a.size);
        size_t tail = (size_t) (block + a.block - after);
        if (!guard_intact(after, tail, first, last)) {
            which = base;
            return "wrote " + std::to_string(last + 1) + " bytes past the end of the " + std::to_string(a.size)
                   + "-byte allocation at " + hex(base);
        }
    }
    return "";
}

void close_context(Context* c);

// ---- running the queue ---------------------------------------------------------------------------
void set_sticky(Context* c, CUresult code, const std::string& detail) {
    c->sticky = code;
    c->sticky_detail = detail;
    for (Op& op : c->queue) {
        if (op.kind == Op::RECORD && --op.event->pending == 0 && op.event->destroyed) {
            delete op.event;
        }
    }
    c->queue.clear();
}

std::string describe(const Op& op) {
    return "kernel '" + op.kernel + "' (grid " + dims(op.grid) + ", block " + dims(op.block) + ")";
}

void run_launch(Context* c, const Op& op) {
    const emu::Entry* e = op.function->entry;
    std::vector<std::pair<int, uintptr_t>> pointers;
    e->pointers(op.packed.get(), pointers);
    for (auto& [index, p] : pointers) {
        const emu::Param& param = e->params[index];
        std::string problem = range_problem(c, p, 1);
        std::string which = "parameter " + std::to_string(index + 1) + " (" + param.type + ")";
        if (!problem.empty()) {
            set_sticky(c, CUDA_ERROR_ILLEGAL_ADDRESS, describe(op) + ": " + which + " = " + problem);
            return;
        }
        size_t align = param.pointee_size;
        if (align > 16 || (align & (align - 1)) != 0) {
            align = 1;
        }
        if (p % align != 0) {
            set_sticky(c, CUDA_ERROR_MISALIGNED_ADDRESS, describe(op) + ": " + which + " = " + hex(p) + " is not aligned to "
                                                                + std::to_string(align) + " bytes");
            return;
        }
    }
    if (!emu::run_grid(op.grid, op.block, e->thread, op.packed.get())) {
        set_sticky(c, CUDA_ERROR_LAUNCH_FAILED, describe(op) + ": " + emu::fault_message);
        return;
    }
    uintptr_t base = 0;
    std::string damage = damaged_guard(c, base);
    if (!damage.empty()) {
        std::string arg;
        for (auto& [index, p] : pointers) {
            if (p >= base && p < base + c->live[base].size) {
                arg = " (passed as parameter " + std::to_string(index + 1) + ", " + e->params[index].type + ")";
                break;
            }
        }
        set_sticky(c, CUDA_ERROR_ILLEGAL_ADDRESS, describe(op) + " " + damage + arg);
    }
}

void run(Context* c, Op& op) {
    switch (op.kind) {
        case Op::LAUNCH:
            run_launch(c, op);
            break;
        case Op::MEMSET:
        case Op::COPY: {
            std::string what = op.kind == Op::MEMSET ? "cuMemsetD" + std::to_string(8 * op.width) + "Async" : "cuMemcpyDtoDAsync";
            std::string problem = range_problem(c, op.dst, op.bytes);
            if (problem.empty() && op.kind == Op::COPY) {
                problem = range_problem(c, op.src, op.bytes);
            }
            if (!problem.empty()) {
                set_sticky(c, CUDA_ERROR_ILLEGAL_ADDRESS, what + " ran after its memory was freed: " + problem);
                return;
            }
            if (op.kind == Op::COPY) {
                std::memmove(reinterpret_cast<void*>(op.dst), reinterpret_cast<const void*>(op.src), op.bytes);
            } else if (op.width == 1) {
                std::memset(reinterpret_cast<void*>(op.dst), (int) op.value, op.bytes);
            } else {
                uint32_t* d = reinterpret_cast<uint32_t*>(op.dst);
                for (size_t i = 0; i < op.bytes / 4; i++) {
                    d[i] = op.value;
                }
            }
            break;
        }
        case Op::RECORD:
            op.event->pending--;
            clock_gettime(CLOCK_MONOTONIC, &op.event->time);
            if (op.event->destroyed && op.event->pending == 0) {
                delete op.event;
            }
            break;
    }
}

/** Runs every queued operation; the sticky error if one faults (or had faulted before). */
CUresult drain(Context* c) {
    while (!c->queue.empty() && c->sticky == CUDA_SUCCESS) {
        Op op = std::move(c->queue.front());
        c->queue.pop_front();
        run(c, op);
    }
    if (c->sticky != CUDA_SUCCESS) {
        return fail(c->sticky, c->sticky_detail);
    }
    return CUDA_SUCCESS;
}

CUresult enqueue(Context* c, Op&& op) {
    c->queue.push_back(std::move(op));
    if (c->queue.size() > MAX_QUEUED) {   // a GPU's queue is finite too: the host waits
        drain(c);
    }
    return CUDA_SUCCESS;
}

CUresult check_stream(void* stream) {
    uintptr_t s = reinterpret_cast<uintptr_t>(stream);
    if (s != 0 && s != 1 && s != 2) {   // the NULL stream, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD
        return fail(CUDA_ERROR_INVALID_HANDLE, "only the default stream is emulated");
    }
    return CUDA_SUCCESS;
}

// ---- contexts ------------------------------------------------------------------------------------
bool open_context(Context* c) {
    if (!c->arena.open(devices[c->device].memory)) {
        return false;
    }
    c->active = true;
    c->sticky = CUDA_SUCCESS;
    c->sticky_detail.clear();
    return true;
}

void close_context(Context* c) {
    // the device finishes what was queued before the context goes
    drain(c);
    for (Module* m : c->modules) {
        for (auto& [name, f] : m->functions) {
            live_functions.erase(f);
            delete f;
        }
        live_modules.erase(m);
        delete m;
    }
    c->modules.clear();
    for (Event* e : c->events) {
        live_events.erase(e);
        delete e;
    }
    c->events.clear();
    c->live.clear();
    c->quarantine.clear();
    c->quarantined = 0;
    c->in_use = 0;
    c->arena.close();
    c->active = false;
    c->sticky = CUDA_SUCCESS;
    c->sticky_detail.clear();
}

bool known_context(Context* c) {
    for (Device& d : devices) {
        if (d.primary == c) {
            return true;
        }
    }
    return false;
}

// ---- module images ---------------------------------------------------------------------------------
/** The length of the image at p: a fatbin's or an ELF file's from its header, else text up to NUL. */
bool image_length(const unsigned char* p, size_t& n, std::string& kind) {
    uint32_t magic;
    std::memcpy(&magic, p, 4);
    if (magic == 0xBA55ED50u) {
        uint16_t header;
        uint64_t body;
        std::memcpy(&header, p + 6, 2);
        std::memcpy(&body, p + 8, 8);
        if (body > (1ull << 30)) {
            return false;
        }
        n = header + body;
        kind = "fatbin";
        return true;
    }
    if (p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F') {
        uint64_t shoff;
        uint16_t shentsize, shnum;
        std::memcpy(&shoff, p + 0x28, 8);
        std::memcpy(&shentsize, p + 0x3A, 2);
        std::memcpy(&shnum, p + 0x3C, 2);
        if (shoff > (1ull << 30)) {
            return false;
        }
        n = shoff + (size_t) shentsize * shnum;
        kind = "cubin";
        return true;
    }
    n = std::strlen(reinterpret_cast<const char*>(p));
    kind = "text";
    return true;
}

CUresult load_image(Module** out, const void* image) {
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (out == nullptr || image == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleLoadData: a null pointer");
    }
    const unsigned char* p = static_cast<const unsigned char*>(image);
    size_t n;
    std::string kind;
    if (!image_length(p, n, kind)) {
        return fail(CUDA_ERROR_INVALID_IMAGE, "the image's header gives an impossible size");
    }
    Sha256 sha;
    sha.add(p, n);
    std::string digest = sha.hex();
    const emu::BuiltImage* built = nullptr;
    for (unsigned long i = 0; i < emu::built_image_count; i++) {
        if (digest == emu::built_images[i].sha256) {
            built = &emu::built_images[i];
            break;
        }
    }
    if (built == nullptr) {
        std::string why = "this " + (kind == "text" ? std::string("text (PTX?)") : kind) + " image (" + std::to_string(n)
                          + " bytes, SHA-256 " + digest.substr(0, 16)
                          + "...) is not one this build produced; the emulation runs only the kernels compiled into it"
                            " (rebuild with mvn package after editing kernels/cuda)";
        return fail(kind == "text" && n > 0 && (p[0] == '/' || p[0] == '.') ? CUDA_ERROR_INVALID_PTX : CUDA_ERROR_INVALID_IMAGE, why);
    }
    const emu::ModuleInfo* info = nullptr;
    for (const emu::ModuleInfo* m : emu::modules()) {
        if (std::strcmp(m->name, built->module) == 0) {
            info = m;
        }
    }
    if (info == nullptr) {
        return fail(CUDA_ERROR_INVALID_IMAGE, std::string("module '") + built->module + "' is not compiled in");
    }
    Module* m = new Module{c, info, {}};
    for (size_t i = 0; i < info->count; i++) {
        Function* f = new Function{m, &info->entries[i]};
        m->functions[info->entries[i].name] = f;
        live_functions.insert(f);
    }
    c->modules.insert(m);
    live_modules.insert(m);
    *out = m;
    return CUDA_SUCCESS;
}

CUresult check_module(Context* c, Module* m) {
    if (m == nullptr || live_modules.count(m) == 0 || m->context != c) {
        return fail(CUDA_ERROR_INVALID_HANDLE, "not a module loaded in the current context (unloaded already?)");
    }
    return CUDA_SUCCESS;
}

CUresult check_event(Context* c, Event* e) {
    if (e == nullptr || live_events.count(e) == 0 || e->context != c) {
        return fail(CUDA_ERROR_INVALID_HANDLE, "not an event of the current context (destroyed already?)");
    }
    return CUDA_SUCCESS;
}

CUresult memset_op(CUdeviceptr dst, unsigned value, size_t count, unsigned width, void* stream, bool async) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_stream(stream)) != CUDA_SUCCESS) {
        return r;
    }
    if (count == 0) {
        return CUDA_SUCCESS;
    }
    std::string name = "cuMemsetD" + std::to_string(8 * width) + (async ? "Async" : "");
    if (dst % width != 0) {
        return fail(CUDA_ERROR_INVALID_VALUE, name + ": " + hex(dst) + " is not aligned to " + std::to_string(width) + " bytes");
    }
    std::string problem = range_problem(c, dst, count * width);
    if (!problem.empty()) {
        return fail(CUDA_ERROR_INVALID_VALUE, name + ": " + problem);
    }
    Op op;
    op.kind = Op::MEMSET;
    op.dst = dst;
    op.bytes = count * width;
    op.value = value;
    op.width = width;
    enqueue(c, std::move(op));
    return async ? CUDA_SUCCESS : drain(c);
}

CUresult copy_dtod(CUdeviceptr dst, CUdeviceptr src, size_t n, void* stream, bool async) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_stream(stream)) != CUDA_SUCCESS) {
        return r;
    }
    if (n == 0) {
        return CUDA_SUCCESS;
    }
    std::string name = async ? "cuMemcpyDtoDAsync" : "cuMemcpyDtoD";
    std::string problem = range_problem(c, dst, n);
    if (problem.empty()) {
        problem = range_problem(c, src, n);
    }
    if (!problem.empty()) {
        return fail(CUDA_ERROR_INVALID_VALUE, name + ": " + problem);
    }
    Op op;
    op.kind = Op::COPY;
    op.dst = dst;
    op.src = src;
    op.bytes = n;
    enqueue(c, std::move(op));
    return async ? CUDA_SUCCESS : drain(c);
}

}  // namespace

// ==== the driver API ================================================================================

extern "C" __attribute__((visibility("default"))) int sn_emu_not_emulated(const char* function) {
    std::lock_guard<std::recursive_mutex> lock(api);
    return fail(CUDA_ERROR_NOT_SUPPORTED, std::string(function) + " is not emulated");
}

SN_API CUresult cuInit(unsigned flags) {
    std::lock_guard<std::recursive_mutex> lock(api);
    if (flags != 0) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuInit: flags must be 0");
    }
    if (!initialized) {
        CUresult r = make_devices();
        if (r != CUDA_SUCCESS) {
            return r;
        }
        initialized = true;
    }
    return CUDA_SUCCESS;
}

SN_API CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) {
        std::lock_guard<std::recursive_mutex> lock(api);
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDriverGetVersion: a null pointer");
    }
    *version = DRIVER_VERSION;
    return CUDA_SUCCESS;
}

SN_API CUresult cuGetErrorName(CUresult error, const char** name) {
    std::lock_guard<std::recursive_mutex> lock(api);
    const ErrorText* e = error_text(error);
    if (name == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "");
    }
    if (e == nullptr) {
        *name = nullptr;
        return fail(CUDA_ERROR_INVALID_VALUE, "");
    }
    *name = e->name;
    return CUDA_SUCCESS;
}

SN_API CUresult cuGetErrorString(CUresult error, const char** text) {
    std::lock_guard<std::recursive_mutex> lock(api);
    const ErrorText* e = error_text(error);
    if (text == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "");
    }
    if (e == nullptr) {
        *text = nullptr;
        return fail(CUDA_ERROR_INVALID_VALUE, "");
    }
    auto it = details.find(error);
    *text = it != details.end() ? it->second.c_str() : e->text;
    return CUDA_SUCCESS;
}

// ---- devices -----------------------------------------------------------------------------------------
SN_API CUresult cuDeviceGetCount(int* count) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_init();
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (count == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetCount: a null pointer");
    }
    *count = (int) devices.size();
    return CUDA_SUCCESS;
}

SN_API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(ordinal);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (device == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGet: a null pointer");
    }
    *device = ordinal;
    return CUDA_SUCCESS;
}

SN_API CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(device);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (name == nullptr || length <= 0) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetName: no buffer");
    }
    std::snprintf(name, (size_t) length, "%s", devices[device].name.c_str());
    return CUDA_SUCCESS;
}

SN_API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(device);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (bytes == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceTotalMem: a null pointer");
    }
    *bytes = devices[device].memory;
    return CUDA_SUCCESS;
}

SN_API CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(device);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (value == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetAttribute: a null pointer");
    }
    switch (attribute) {
        case ATTR_MAX_THREADS_PER_BLOCK: *value = MAX_THREADS; break;
        case ATTR_MAX_BLOCK_DIM_X: *value = MAX_BLOCK_XY; break;
        case ATTR_MAX_BLOCK_DIM_Y: *value = MAX_BLOCK_XY; break;
        case ATTR_MAX_BLOCK_DIM_Z: *value = MAX_BLOCK_Z; break;
        case ATTR_MAX_GRID_DIM_X: *value = (int) MAX_GRID_X; break;
        case ATTR_MAX_GRID_DIM_Y: *value = MAX_GRID_YZ; break;
        case ATTR_MAX_GRID_DIM_Z: *value = MAX_GRID_YZ; break;
        case ATTR_MAX_SHARED_MEMORY_PER_BLOCK: *value = SHARED_PER_BLOCK; break;
        case ATTR_TOTAL_CONSTANT_MEMORY: *value = 65536; break;
        case ATTR_WARP_SIZE: *value = 32; break;
        case ATTR_MAX_REGISTERS_PER_BLOCK: *value = 65536; break;
        case ATTR_CLOCK_RATE: *value = 1000000; break;
        case ATTR_MULTIPROCESSOR_COUNT: *value = 1; break;
        case ATTR_KERNEL_EXEC_TIMEOUT: *value = 0; break;
        case ATTR_INTEGRATED: *value = 0; break;
        case ATTR_CONCURRENT_KERNELS: *value = 0; break;
        case ATTR_MAX_THREADS_PER_MULTIPROCESSOR: *value = MAX_THREADS; break;
        case ATTR_UNIFIED_ADDRESSING: *value = 0; break;
        case ATTR_COMPUTE_CAPABILITY_MAJOR: *value = devices[device].major; break;
        case ATTR_COMPUTE_CAPABILITY_MINOR: *value = devices[device].minor; break;
        case ATTR_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: *value = SHARED_PER_BLOCK; break;
        case ATTR_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *value = SHARED_PER_BLOCK; break;
        default:
            return fail(CUDA_ERROR_INVALID_VALUE, "device attribute " + std::to_string(attribute) + " is not emulated");
    }
    return CUDA_SUCCESS;
}

SN_API CUresult cuDeviceComputeCapability(int* major, int* minor, CUdevice device) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(device);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (major == nullptr || minor == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceComputeCapability: a null pointer");
    }
    *major = devices[device].major;
    *minor = devices[device].minor;
    return CUDA_SUCCESS;
}

// ---- contexts -------------------------------------------------------------------------------------------
SN_API CUresult cuDevicePrimaryCtxRetain(Context** ctx, CUdevice device) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(device);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (ctx == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDevicePrimaryCtxRetain: a null pointer");
    }
    Context* c = devices[device].primary;
    if (c->retained == 0 && !open_context(c)) {
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "cannot reserve the device's " + std::to_string(devices[device].memory)
                                                      + " bytes of address space");
    }
    c->retained++;
    *ctx = c;
    return CUDA_SUCCESS;
}

SN_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(device);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    Context* c = devices[device].primary;
    if (c->retained == 0) {
        return fail(CUDA_ERROR_INVALID_CONTEXT, "the primary context of device " + std::to_string(device) + " is not retained");
    }
    if (--c->retained == 0) {
        close_context(c);
    }
    return CUDA_SUCCESS;
}

SN_API CUresult cuDevicePrimaryCtxReset_v2(CUdevice device) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(device);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    Context* c = devices[device].primary;
    if (c->active) {
        close_context(c);
    }
    c->retained = 0;
    return CUDA_SUCCESS;
}

SN_API CUresult cuDevicePrimaryCtxGetState(CUdevice device, unsigned* flags, int* active) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_device(device);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (flags == nullptr || active == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDevicePrimaryCtxGetState: a null pointer");
    }
    *flags = 0;
    *active = devices[device].primary->active ? 1 : 0;
    return CUDA_SUCCESS;
}

SN_API CUresult cuCtxSetCurrent(Context* ctx) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_init();
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (ctx != nullptr && !known_context(ctx)) {
        return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxSetCurrent: not a context of this driver");
    }
    current = ctx;
    return CUDA_SUCCESS;
}

SN_API CUresult cuCtxGetCurrent(Context** ctx) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_init();
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (ctx == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuCtxGetCurrent: a null pointer");
    }
    *ctx = current;
    return CUDA_SUCCESS;
}

SN_API CUresult cuCtxGetDevice(CUdevice* device) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c, true);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (device == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuCtxGetDevice: a null pointer");
    }
    *device = c->device;
    return CUDA_SUCCESS;
}

SN_API CUresult cuCtxSynchronize() {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    return r != CUDA_SUCCESS ? r : drain(c);
}

SN_API CUresult cuStreamSynchronize(void* stream) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_stream(stream)) != CUDA_SUCCESS) {
        return r;
    }
    return drain(c);
}

// ---- memory ------------------------------------------------------------------------------------------------
SN_API CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (dptr == nullptr || bytes == 0) {
        return fail(CUDA_ERROR_INVALID_VALUE, dptr == nullptr ? "cuMemAlloc: a null pointer" : "cuMemAlloc of 0 bytes");
    }
    size_t padded = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    if (padded < bytes || padded > c->arena.size) {
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc of " + std::to_string(bytes) + " bytes: the device has "
                                                      + std::to_string(c->arena.size));
    }
    size_t block = GUARD + padded + GUARD, offset;
    if (!c->arena.take(block, offset)) {
        flush_quarantine(c, 0);
        if (!c->arena.take(block, offset)) {
            return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc of " + std::to_string(bytes) + " bytes: "
                                                          + std::to_string(c->in_use) + " of the device's " + std::to_string(c->arena.size)
                                                          + " bytes are allocated (with guard zones)");
        }
    }
    Allocation a{reinterpret_cast<uintptr_t>(c->arena.base + offset + GUARD), bytes, offset, block};
    std::memset(reinterpret_cast<void*>(a.base), FRESH_BYTE, bytes);
    paint_guards(c, a);
    c->live[a.base] = a;
    c->in_use += block;
    *dptr = a.base;
    return CUDA_SUCCESS;
}

SN_API CUresult cuMemFree_v2(CUdeviceptr dptr) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    auto it = c->live.find(dptr);
    if (it == c->live.end()) {
        std::string why = find_freed(c, dptr) != nullptr && find_freed(c, dptr)->base == dptr
                                  ? hex(dptr) + " was freed already (double free)"
                          : find(c, dptr) != nullptr ? hex(dptr) + " is inside an allocation, not its start"
                                                     : hex(dptr) + " is not an allocation of this context";
        return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree: " + why);
    }
    Allocation a = it->second;
    c->live.erase(it);
    c->in_use -= a.block;
    c->quarantine.push_back(a);
    c->quarantined += a.block;
    flush_quarantine(c, std::min<size_t>(c->arena.size / 8, 64u << 20));
    return CUDA_SUCCESS;
}

SN_API CUresult cuMemGetInfo_v2(size_t* free_bytes, size_t* total) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (free_bytes == nullptr || total == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuMemGetInfo: a null pointer");
    }
    *total = c->arena.size;
    *free_bytes = c->arena.size - c->in_use;
    return CUDA_SUCCESS;
}

SN_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = drain(c)) != CUDA_SUCCESS) {
        return r;
    }
    if (n == 0) {
        return CUDA_SUCCESS;
    }
    std::string problem = src == nullptr ? "a null host pointer" : range_problem(c, dst, n);
    if (!problem.empty()) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyHtoD: " + problem);
    }
    std::memcpy(reinterpret_cast<void*>(dst), src, n);
    return CUDA_SUCCESS;
}

SN_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void* stream) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_stream(stream);
    // pageable host memory: the driver copies it before returning, after the work before it
    return r != CUDA_SUCCESS ? r : cuMemcpyHtoD_v2(dst, src, n);
}

SN_API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = drain(c)) != CUDA_SUCCESS) {
        return r;
    }
    if (n == 0) {
        return CUDA_SUCCESS;
    }
    std::string problem = dst == nullptr ? "a null host pointer" : range_problem(c, src, n);
    if (!problem.empty()) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyDtoH: " + problem);
    }
    std::memcpy(dst, reinterpret_cast<const void*>(src), n);
    return CUDA_SUCCESS;
}

SN_API CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void* stream) {
    std::lock_guard<std::recursive_mutex> lock(api);
    CUresult r = check_stream(stream);
    return r != CUDA_SUCCESS ? r : cuMemcpyDtoH_v2(dst, src, n);
}

SN_API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    return copy_dtod(dst, src, n, nullptr, false);
}

SN_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void* stream) {
    return copy_dtod(dst, src, n, stream, true);
}

SN_API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t n) {
    return memset_op(dst, value, n, 1, nullptr, false);
}

SN_API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t n, void* stream) {
    return memset_op(dst, value, n, 1, stream, true);
}

SN_API CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned value, size_t n) {
    return memset_op(dst, value, n, 4, nullptr, false);
}

SN_API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t n, void* stream) {
    return memset_op(dst, value, n, 4, stream, true);
}

// ---- modules ---------------------------------------------------------------------------------------------------
SN_API CUresult cuModuleLoadData(Module** module, const void* image) {
    std::lock_guard<std::recursive_mutex> lock(api);
    return load_image(module, image);
}

SN_API CUresult cuModuleLoadDataEx(Module** module, const void* image, unsigned, void*, void**) {
    std::lock_guard<std::recursive_mutex> lock(api);
    return load_image(module, image);
}

SN_API CUresult cuModuleLoadFatBinary(Module** module, const void* image) {
    std::lock_guard<std::recursive_mutex> lock(api);
    return load_image(module, image);
}

SN_API CUresult cuModuleLoad(Module** module, const char* path) {
    std::lock_guard<std::recursive_mutex> lock(api);
    if (path == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleLoad: a null path");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(CUDA_ERROR_FILE_NOT_FOUND, std::string("cannot read ") + path);
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes.push_back('\0');
    return load_image(module, bytes.data());
}

SN_API CUresult cuModuleGetFunction(Function** function, Module* module, const char* name) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_module(c, module)) != CUDA_SUCCESS) {
        return r;
    }
    if (function == nullptr || name == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleGetFunction: a null pointer");
    }
    auto it = module->functions.find(name);
    if (it == module->functions.end()) {
        return fail(CUDA_ERROR_NOT_FOUND, std::string("module '") + module->info->name + "' has no kernel '" + name + "'");
    }
    *function = it->second;
    return CUDA_SUCCESS;
}

SN_API CUresult cuModuleUnload(Module* module) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c, true);
    if (r != CUDA_SUCCESS || (r = check_module(c, module)) != CUDA_SUCCESS) {
        return r;
    }
    drain(c);   // the launches queued from it run first
    for (auto& [name, f] : module->functions) {
        live_functions.erase(f);
        delete f;
    }
    c->modules.erase(module);
    live_modules.erase(module);
    delete module;
    return c->sticky != CUDA_SUCCESS ? fail(c->sticky, c->sticky_detail) : CUDA_SUCCESS;
}

// ---- launches ----------------------------------------------------------------------------------------------------
SN_API CUresult cuLaunchKernel(Function* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                               unsigned shared, void* stream, void** params, void** extra) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_stream(stream)) != CUDA_SUCCESS) {
        return r;
    }
    if (f == nullptr || live_functions.count(f) == 0 || f->module->context != c) {
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel: not a function of a module loaded in the current context");
    }
    const emu::Entry* e = f->entry;
    std::string what = std::string("cuLaunchKernel '") + e->name + "' (grid " + dims(dim3(gx, gy, gz)) + ", block "
                       + dims(dim3(bx, by, bz)) + ")";
    if (gx == 0 || gy == 0 || gz == 0 || gx > MAX_GRID_X || gy > MAX_GRID_YZ || gz > MAX_GRID_YZ) {
        return fail(CUDA_ERROR_INVALID_VALUE, what + ": the grid must be 1..2147483647 x 1..65535 x 1..65535 blocks");
    }
    if (bx == 0 || by == 0 || bz == 0 || bx > MAX_BLOCK_XY || by > MAX_BLOCK_XY || bz > MAX_BLOCK_Z) {
        return fail(CUDA_ERROR_INVALID_VALUE, what + ": a block must be 1..1024 x 1..1024 x 1..64 threads");
    }
    unsigned long long threads = (unsigned long long) bx * by * bz;
    if (threads > MAX_THREADS) {
        return fail(CUDA_ERROR_INVALID_VALUE, what + ": " + std::to_string(threads) + " threads a block; the device allows 1024");
    }
    if (threads > e->max_threads) {
        return fail(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, what + ": " + std::to_string(threads) + " threads a block; the kernel is built for at most "
                                                                + std::to_string(e->max_threads) + " (__launch_bounds__)");
    }
    if (shared > SHARED_PER_BLOCK) {
        return fail(CUDA_ERROR_INVALID_VALUE, what + ": " + std::to_string(shared) + " bytes of dynamic shared memory; the device allows "
                                                      + std::to_string(SHARED_PER_BLOCK));
    }
    if (extra != nullptr) {
        return fail(params != nullptr ? CUDA_ERROR_INVALID_VALUE : CUDA_ERROR_NOT_SUPPORTED,
                    what + ": arguments through 'extra' are not emulated; pass kernelParams");
    }
    if (params == nullptr && !e->params.empty()) {
        return fail(CUDA_ERROR_INVALID_VALUE, what + ": kernelParams is null, and the kernel takes " + std::to_string(e->params.size())
                                                      + " arguments");
    }
    Op op;
    op.kind = Op::LAUNCH;
    op.function = f;
    op.kernel = e->name;
    op.grid = dim3(gx, gy, gz);
    op.block = dim3(bx, by, bz);
    size_t words = (e->packed_size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t) + 1;
    op.packed.reset(new std::max_align_t[words]);
    e->pack(params, op.packed.get());
    return enqueue(c, std::move(op));
}

SN_API CUresult cuFuncGetAttribute(int* value, int attribute, Function* f) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (f == nullptr || live_functions.count(f) == 0 || f->module->context != c) {
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuFuncGetAttribute: not a function of a module loaded in the current context");
    }
    if (value == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuFuncGetAttribute: a null pointer");
    }
    if (attribute != 0) {   // CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK; registers, shared sizes and the rest are a GPU's
        return fail(CUDA_ERROR_NOT_SUPPORTED, "function attribute " + std::to_string(attribute) + " is not emulated");
    }
    *value = (int) f->entry->max_threads;
    return CUDA_SUCCESS;
}

// ---- events ------------------------------------------------------------------------------------------------------------
SN_API CUresult cuEventCreate(Event** event, unsigned flags) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS) {
        return r;
    }
    if (event == nullptr || flags > 0xF) {
        return fail(CUDA_ERROR_INVALID_VALUE, event == nullptr ? "cuEventCreate: a null pointer" : "cuEventCreate: unknown flags");
    }
    Event* e = new Event();
    e->context = c;
    e->flags = flags;
    c->events.insert(e);
    live_events.insert(e);
    *event = e;
    return CUDA_SUCCESS;
}

SN_API CUresult cuEventRecord(Event* event, void* stream) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_stream(stream)) != CUDA_SUCCESS || (r = check_event(c, event)) != CUDA_SUCCESS) {
        return r;
    }
    event->recorded = true;
    event->pending++;
    Op op;
    op.kind = Op::RECORD;
    op.event = event;
    return enqueue(c, std::move(op));
}

SN_API CUresult cuEventSynchronize(Event* event) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_event(c, event)) != CUDA_SUCCESS) {
        return r;
    }
    return drain(c);
}

SN_API CUresult cuEventQuery(Event* event) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_event(c, event)) != CUDA_SUCCESS) {
        return r;
    }
    return drain(c);   // the emulated device makes progress when asked
}

SN_API CUresult cuEventElapsedTime(float* ms, Event* start, Event* end) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c);
    if (r != CUDA_SUCCESS || (r = check_event(c, start)) != CUDA_SUCCESS || (r = check_event(c, end)) != CUDA_SUCCESS) {
        return r;
    }
    if (ms == nullptr) {
        return fail(CUDA_ERROR_INVALID_VALUE, "cuEventElapsedTime: a null pointer");
    }
    if ((start->flags & 2) != 0 || (end->flags & 2) != 0) {
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventElapsedTime: an event created with CU_EVENT_DISABLE_TIMING");
    }
    if (!start->recorded || !end->recorded) {
        return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventElapsedTime: an event that was never recorded");
    }
    if (start->pending > 0 || end->pending > 0) {
        return fail(CUDA_ERROR_NOT_READY, "cuEventElapsedTime: an event whose record has not run yet");
    }
    double t = (double) (end->time.tv_sec - start->time.tv_sec) * 1e3 + (double) (end->time.tv_nsec - start->time.tv_nsec) / 1e6;
    *ms = (float) t;
    return CUDA_SUCCESS;
}

SN_API CUresult cuEventElapsedTime_v2(float* ms, Event* start, Event* end) {
    return cuEventElapsedTime(ms, start, end);
}

SN_API CUresult cuEventDestroy_v2(Event* event) {
    std::lock_guard<std::recursive_mutex> lock(api);
    Context* c;
    CUresult r = context(c, true);
    if (r != CUDA_SUCCESS || (r = check_event(c, event)) != CUDA_SUCCESS) {
        return r;
    }
    c->events.erase(event);
    live_events.erase(event);
    if (event->pending > 0) {
        event->destroyed = true;   // deleted when its record runs
    } else {
        delete event;
    }
    return CUDA_SUCCESS;
}
