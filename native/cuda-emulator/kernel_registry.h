// kernel_registry.h: the kernels compiled into the emulated driver, each with what the compiler
// knows of its C++ signature. build.sh generates one translation unit per kernels/cuda module:
//
//   #include "cuda_on_cpu.h"
//   #include "kernel_registry.h"
//   namespace sn_module_tensor {
//   #include "tensor.cu"
//   }
//   SN_EMU_MODULE(tensor, SN_EMU_ENTRY(sn_module_tensor, fill_f32, 1024), ...)
//
// The entry names and launch bounds come from the compiled module (objdump), never from a table
// kept by hand. SN_EMU_ENTRY instantiates Kernel<&fill_f32>, whose parameter list P... is the
// kernel's own: cuLaunchKernel's kernelParams (one pointer to each argument's value) are unpacked
// as exactly those types, and the pointer parameters are known, so each can be checked against the
// live allocations before the kernel runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace emu {

/** One parameter of a kernel. */
struct Param {
    std::string type;        // "const float*", "int", ...
    size_t size;             // bytes of the argument's value
    bool pointer;            // a device pointer, checked before the launch runs
    size_t pointee_size;     // bytes of what it points to (its alignment is checked)
};

/** One kernel entry point. */
struct Entry {
    const char* name;
    unsigned max_threads;    // __launch_bounds__, else 1024
    std::vector<Param> params;
    size_t packed_size;      // bytes of the packed argument tuple
    size_t packed_align;
    /** Copies the argument values kernelParams points at into a tuple at out (packed_size bytes). */
    void (*pack)(void* const* kernel_params, void* out);
    /** The values of the pointer parameters in a packed tuple, in parameter order, with their index. */
    void (*pointers)(const void* packed, std::vector<std::pair<int, uintptr_t>>& out);
    /** Runs the kernel for the current fiber's thread with the packed arguments. */
    void (*thread)(const void* packed);
};

/** One module: a kernels/cuda file. */
struct ModuleInfo {
    const char* name;
    const Entry* entries;
    size_t count;
};

inline std::vector<const ModuleInfo*>& modules() {
    static std::vector<const ModuleInfo*> all;
    return all;
}

struct RegisterModule {
    explicit RegisterModule(const ModuleInfo* m) {
        modules().push_back(m);
    }
};

template <typename T> struct TypeName { static std::string get() { return std::is_class<T>::value ? "struct" : "?"; } };
template <> struct TypeName<float> { static std::string get() { return "float"; } };
template <> struct TypeName<double> { static std::string get() { return "double"; } };
template <> struct TypeName<int> { static std::string get() { return "int"; } };
template <> struct TypeName<unsigned> { static std::string get() { return "unsigned"; } };
template <> struct TypeName<long> { static std::string get() { return "long"; } };
template <> struct TypeName<unsigned long> { static std::string get() { return "unsigned long"; } };
template <> struct TypeName<long long> { static std::string get() { return "long long"; } };
template <> struct TypeName<unsigned long long> { static std::string get() { return "unsigned long long"; } };
template <> struct TypeName<char> { static std::string get() { return "char"; } };
template <> struct TypeName<unsigned char> { static std::string get() { return "unsigned char"; } };
template <> struct TypeName<short> { static std::string get() { return "short"; } };
template <> struct TypeName<bool> { static std::string get() { return "bool"; } };
template <typename T> struct TypeName<const T> { static std::string get() { return "const " + TypeName<T>::get(); } };
template <typename T> struct TypeName<T*> { static std::string get() { return TypeName<T>::get() + "*"; } };

template <typename P>
Param describe() {
    static_assert(std::is_trivially_copyable<P>::value, "kernel parameters are copied byte for byte");
    if constexpr (std::is_pointer<P>::value) {
        using T = std::remove_cv_t<std::remove_pointer_t<P>>;
        constexpr size_t pointee = std::is_void<T>::value ? 1 : sizeof(std::conditional_t<std::is_void<T>::value, char, T>);
        return Param{TypeName<P>::get(), sizeof(P), true, pointee};
    } else {
        return Param{TypeName<P>::get(), sizeof(P), false, 0};
    }
}

template <typename F> struct Signature;
template <typename... P> struct Signature<void (*)(P...)> {
    using Tuple = std::tuple<P...>;
    static std::vector<Param> params() { return {describe<P>()...}; }
};

template <auto F>
struct Kernel {
    using Sig = Signature<decltype(F)>;
    using Tuple = typename Sig::Tuple;
    static constexpr size_t N = std::tuple_size<Tuple>::value;

    template <size_t... I>
    static void pack_each(void* const* params, Tuple& t, std::index_sequence<I...>) {
        (std::memcpy(&std::get<I>(t), params[I], sizeof(std::tuple_element_t<I, Tuple>)), ...);
    }

    static void pack(void* const* params, void* out) {
        Tuple* t = new (out) Tuple();
        pack_each(params, *t, std::make_index_sequence<N>{});
    }

    template <size_t I>
    static void pointer_of(const Tuple& t, std::vector<std::pair<int, uintptr_t>>& out) {
        using P = std::tuple_element_t<I, Tuple>;
        if constexpr (std::is_pointer<P>::value) {
            out.emplace_back((int) I, reinterpret_cast<uintptr_t>(std::get<I>(t)));
        }
    }

    template <size_t... I>
    static void pointers_each(const Tuple& t, std::vector<std::pair<int, uintptr_t>>& out, std::index_sequence<I...>) {
        (pointer_of<I>(t, out), ...);
    }

    static void pointers(const void* packed, std::vector<std::pair<int, uintptr_t>>& out) {
        pointers_each(*static_cast<const Tuple*>(packed), out, std::make_index_sequence<N>{});
    }

    static void thread(const void* packed) {
        std::apply(F, *static_cast<const Tuple*>(packed));
    }

    static Entry entry(const char* name, unsigned max_threads) {
        return Entry{name, max_threads, Sig::params(), sizeof(Tuple), alignof(Tuple), &pack, &pointers, &thread};
    }
};

}  // namespace emu

#define SN_EMU_ENTRY(ns, fn, bound) emu::Kernel<&ns::fn>::entry(#fn, (unsigned) (bound))

#define SN_EMU_MODULE(module, ...)                                                                   \
    static const emu::Entry sn_emu_entries_##module[] = {__VA_ARGS__};                                \
    static const emu::ModuleInfo sn_emu_module_##module = {#module, sn_emu_entries_##module,          \
                                                           sizeof(sn_emu_entries_##module) / sizeof(emu::Entry)}; \
    static const emu::RegisterModule sn_emu_register_##module(&sn_emu_module_##module);

namespace emu {
/** A module image this build produced (build.sh generates the table). */
struct BuiltImage {
    const char* sha256;
    const char* module;
    const char* kind;   // fatbin, ptx or emu
};
extern const BuiltImage built_images[];
extern const unsigned long built_image_count;
}  // namespace emu
