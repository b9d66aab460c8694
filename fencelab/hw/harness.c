/* fencelab's native litmus harness (see fencelab/hw/__init__.py for the design).
 *
 * One generic program, built once per host with the system's C compiler. It reads a test's
 * description on stdin (text, written by fencelab/hw/native.py):
 *
 *   runs N / delay D / stall MS / data BASE SIZE
 *   threads K, then per thread: `thread TID BASE NBYTES CPU` + hex bytes + `regs N (IDX VAL)*`
 *   locs M, then `loc ADDR INIT BYTES` each
 *   obs P, then `obs r TID IDX` (a register) or `obs m ADDR BYTES` (a location) each
 *
 * maps every thread's bytes at the address fencelab assembled them for (MAP_FIXED_NOREPLACE,
 * then read+exec) followed by a return instruction, maps the test's memory at its own address,
 * and runs the test N times on K threads pinned to the CPUs named. Each run: thread 0 resets the
 * locations to their initial values; all threads meet at a barrier; each waits a short random
 * delay, loads its registers, runs its code and stores its registers; all meet again; thread 0
 * records the P observed values. Output: N records of P little-endian uint64 on stdout, then
 * `elapsed NS` on stderr. A fault prints `fault SIG TID PC ADDR` on stderr and exits 4; a run in
 * which a thread does not finish within STALL ms prints `stall RUN TID...` and exits 3; a
 * mapping the OS refuses prints `map ADDR ERRNO` and exits 5.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define MAX_THREADS 16
#define MAX_LOCS 256
#define MAX_OBS 256

/* ---- the host's calling convention: enter a thread's code with every register set ---------
 * fl_call(regs, code): load the general registers from regs[], call code (which ends with the
 * `ret` appended below), store the general registers back into regs[]. Callee-saved registers
 * of the C ABI are preserved around the test's code. */
#if defined(__x86_64__)
/* regs[]: rax rbx rcx rdx rsi rdi rbp r8..r15 (rsp is the harness's) */
#define NREGS 15
static const unsigned char RET[] = {0xc3};
__asm__(
    ".text\n.globl fl_call\n.type fl_call,@function\nfl_call:\n"
    "push %rbp\npush %rbx\npush %r12\npush %r13\npush %r14\npush %r15\n"
    "push %rdi\npush %rsi\n"
    "mov 0(%rdi),%rax\nmov 8(%rdi),%rbx\nmov 16(%rdi),%rcx\nmov 24(%rdi),%rdx\n"
    "mov 32(%rdi),%rsi\nmov 48(%rdi),%rbp\nmov 56(%rdi),%r8\nmov 64(%rdi),%r9\n"
    "mov 72(%rdi),%r10\nmov 80(%rdi),%r11\nmov 88(%rdi),%r12\nmov 96(%rdi),%r13\n"
    "mov 104(%rdi),%r14\nmov 112(%rdi),%r15\nmov 40(%rdi),%rdi\n"
    "call *(%rsp)\n"
    "push %rdi\nmov 16(%rsp),%rdi\n"
    "mov %rax,0(%rdi)\nmov %rbx,8(%rdi)\nmov %rcx,16(%rdi)\nmov %rdx,24(%rdi)\n"
    "mov %rsi,32(%rdi)\nmov %rbp,48(%rdi)\nmov %r8,56(%rdi)\nmov %r9,64(%rdi)\n"
    "mov %r10,72(%rdi)\nmov %r11,80(%rdi)\nmov %r12,88(%rdi)\nmov %r13,96(%rdi)\n"
    "mov %r14,104(%rdi)\nmov %r15,112(%rdi)\n"
    "pop %rax\nmov %rax,40(%rdi)\n"
    "add $16,%rsp\n"
    "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbx\npop %rbp\nret\n"
    ".size fl_call,.-fl_call\n");
#define PC_OF(uc) ((uint64_t)(uc)->uc_mcontext.gregs[REG_RIP])
#define CPU_RELAX() __asm__ __volatile__("pause" ::: "memory")
#elif defined(__aarch64__)
/* regs[]: x0..x29 (x30 holds the return address; sp is the harness's) */
#define NREGS 30
static const unsigned char RET[] = {0xc0, 0x03, 0x5f, 0xd6};
__asm__(
    ".text\n.globl fl_call\n.type fl_call,%function\nfl_call:\n"
    "stp x29,x30,[sp,#-112]!\nstp x19,x20,[sp,#16]\nstp x21,x22,[sp,#32]\n"
    "stp x23,x24,[sp,#48]\nstp x25,x26,[sp,#64]\nstp x27,x28,[sp,#80]\n"
    "stp x0,x1,[sp,#96]\nmov x30,x1\n"
    "ldp x2,x3,[x0,#16]\nldp x4,x5,[x0,#32]\nldp x6,x7,[x0,#48]\nldp x8,x9,[x0,#64]\n"
    "ldp x10,x11,[x0,#80]\nldp x12,x13,[x0,#96]\nldp x14,x15,[x0,#112]\n"
    "ldp x16,x17,[x0,#128]\nldp x18,x19,[x0,#144]\nldp x20,x21,[x0,#160]\n"
    "ldp x22,x23,[x0,#176]\nldp x24,x25,[x0,#192]\nldp x26,x27,[x0,#208]\n"
    "ldp x28,x29,[x0,#224]\nldp x0,x1,[x0]\n"
    "blr x30\n"
    "str x0,[sp,#-16]!\nldr x0,[sp,#112]\n"
    "stp x2,x3,[x0,#16]\nstp x4,x5,[x0,#32]\nstp x6,x7,[x0,#48]\nstp x8,x9,[x0,#64]\n"
    "stp x10,x11,[x0,#80]\nstp x12,x13,[x0,#96]\nstp x14,x15,[x0,#112]\n"
    "stp x16,x17,[x0,#128]\nstp x18,x19,[x0,#144]\nstp x20,x21,[x0,#160]\n"
    "stp x22,x23,[x0,#176]\nstp x24,x25,[x0,#192]\nstp x26,x27,[x0,#208]\n"
    "stp x28,x29,[x0,#224]\nstr x1,[x0,#8]\n"
    "ldr x1,[sp],#16\nstr x1,[x0]\n"
    "ldp x19,x20,[sp,#16]\nldp x21,x22,[sp,#32]\nldp x23,x24,[sp,#48]\n"
    "ldp x25,x26,[sp,#64]\nldp x27,x28,[sp,#80]\nldp x29,x30,[sp],#112\nret\n"
    ".size fl_call,.-fl_call\n");
#define PC_OF(uc) ((uint64_t)(uc)->uc_mcontext.pc)
#define CPU_RELAX() __asm__ __volatile__("yield" ::: "memory")
#else
#error "fencelab hw: unsupported host architecture (x86-64 and AArch64 only)"
#endif

extern void fl_call(uint64_t *regs, void *code);

/* ---- the test ------------------------------------------------------------------------------ */
typedef struct {
    int tid, cpu;
    uint64_t base, nbytes;
    uint64_t init[NREGS];
    uint64_t regs[NREGS] __attribute__((aligned(64)));
    volatile int running; /* 1 while inside the test's code (read by the stall watchdog) */
    pthread_t th;
} __attribute__((aligned(128))) thread_t; /* one thread's data shares no line with another's */

typedef struct { uint64_t addr, init, bytes; } loc_t;
typedef struct { int reg; int tid; uint64_t idx_or_addr, bytes; } obs_t;

static long runs, delay_max, stall_ms;
static uint64_t data_base, data_size;
static int nthreads, nlocs, nobs;
static thread_t threads[MAX_THREADS];
static loc_t locs[MAX_LOCS];
static obs_t obs[MAX_OBS];
static uint64_t *records;

static volatile long runs_done; /* progress, for the watchdog */
static volatile long current_run;
static __thread int my_tid = -1;

/* ---- a sense-reversing barrier: spins (threads released within nanoseconds of each other);
 * with fewer CPUs than threads it soon sleeps on a futex instead, so the thread it waits for
 * can run ------------------------------------------------------------------------------------ */
static struct {
    volatile int count __attribute__((aligned(64)));
    volatile int sense __attribute__((aligned(64)));
    volatile int sleepers;
} bar;
static long spin_limit = 1L << 12; /* ~tens of us: then sleep (a loaded machine preempts) */

static void barrier_wait(int *local_sense) {
    int s = !*local_sense;
    *local_sense = s;
    if (__atomic_add_fetch(&bar.count, 1, __ATOMIC_ACQ_REL) == nthreads) {
        __atomic_store_n(&bar.count, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&bar.sense, s, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&bar.sleepers, __ATOMIC_SEQ_CST))
            syscall(SYS_futex, &bar.sense, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
        return;
    }
    long spins = 0;
    while (__atomic_load_n(&bar.sense, __ATOMIC_ACQUIRE) != s) {
        if (++spins < spin_limit) {
            CPU_RELAX();
            continue;
        }
        __atomic_add_fetch(&bar.sleepers, 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&bar.sense, __ATOMIC_SEQ_CST) != s)
            syscall(SYS_futex, &bar.sense, FUTEX_WAIT_PRIVATE, !s, NULL, NULL, 0);
        __atomic_sub_fetch(&bar.sleepers, 1, __ATOMIC_SEQ_CST);
    }
}

/* ---- faults: one line, then exit ------------------------------------------------------------ */
static void put_hex(char **p, uint64_t v) {
    char tmp[17];
    int n = 0;
    do { tmp[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    *(*p)++ = '0'; *(*p)++ = 'x';
    while (n) *(*p)++ = tmp[--n];
}

static void on_fault(int sig, siginfo_t *si, void *ctx) {
    char line[160], *p = line;
    const char *name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS"
                     : sig == SIGILL ? "SIGILL" : sig == SIGFPE ? "SIGFPE" : "SIGTRAP";
    memcpy(p, "fault ", 6); p += 6;
    while (*name) *p++ = *name++;
    *p++ = ' ';
    if (my_tid < 0) { *p++ = '-'; } else { put_hex(&p, (uint64_t)my_tid); }
    *p++ = ' ';
    put_hex(&p, PC_OF((ucontext_t *)ctx));
    *p++ = ' ';
    put_hex(&p, (uint64_t)(uintptr_t)si->si_addr);
    *p++ = '\n';
    if (write(2, line, (size_t)(p - line)) < 0) { /* nothing more to do */ }
    _exit(4);
}

static void catch_faults(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}

static void alt_stack(void) { /* so a test that wrecks its stack pointer is still reported */
    stack_t ss;
    ss.ss_sp = malloc(1 << 16);
    ss.ss_size = 1 << 16;
    ss.ss_flags = 0;
    if (ss.ss_sp) sigaltstack(&ss, NULL);
}

/* ---- one run ------------------------------------------------------------------------------- */
static void reset_locations(void) {
    memset((void *)(uintptr_t)data_base, 0, data_size);
    for (int i = 0; i < nlocs; i++) memcpy((void *)(uintptr_t)locs[i].addr, &locs[i].init, locs[i].bytes);
}

static void record(long run) {
    uint64_t *out = records + (size_t)run * (size_t)nobs;
    for (int i = 0; i < nobs; i++) {
        uint64_t v = 0;
        if (obs[i].reg) v = threads[obs[i].tid].regs[obs[i].idx_or_addr];
        else memcpy(&v, (void *)(uintptr_t)obs[i].idx_or_addr, obs[i].bytes);
        out[i] = v;
    }
}

static void *worker(void *arg) {
    thread_t *t = arg;
    my_tid = t->tid;
    alt_stack();
    if (t->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(t->cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    }
    uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(t->tid + 1);
    int sense = 0;
    for (long run = 0; run < runs; run++) {
        if (t->tid == 0) {
            if (run > 0) { record(run - 1); runs_done = run; }
            reset_locations();
            current_run = run;
        }
        barrier_wait(&sense);
        memcpy(t->regs, t->init, sizeof t->regs);
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
        for (long d = (long)(seed % (uint64_t)(delay_max + 1)); d > 0; d--)
            __asm__ __volatile__("" ::: "memory");
        t->running = 1;
        fl_call(t->regs, (void *)(uintptr_t)t->base);
        t->running = 0;
        barrier_wait(&sense);
    }
    if (t->tid == 0) { record(runs - 1); runs_done = runs; }
    return NULL;
}

/* ---- set-up -------------------------------------------------------------------------------- */
static void die_map(uint64_t addr) {
    fprintf(stderr, "map %#llx %d\n", (unsigned long long)addr, errno);
    exit(5);
}

static void *map_at(uint64_t addr, uint64_t size, int prot) {
    void *p = mmap((void *)(uintptr_t)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) die_map(addr);
    if ((uint64_t)(uintptr_t)p != addr) { munmap(p, size); errno = EEXIST; die_map(addr); }
    return p;
}

static void expect(int ok, const char *what) {
    if (!ok) { fprintf(stderr, "input %s\n", what); exit(6); }
}

static uint64_t page_round(uint64_t n) {
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

static void read_input(void) {
    expect(scanf(" runs %ld delay %ld stall %ld", &runs, &delay_max, &stall_ms) == 3, "header");
    expect(scanf(" data %lli %lli", (long long *)&data_base, (long long *)&data_size) == 2, "data");
    expect(scanf(" threads %d", &nthreads) == 1 && nthreads > 0 && nthreads <= MAX_THREADS, "threads");
    expect(runs > 0 && delay_max >= 0 && stall_ms > 0, "parameters");
    for (int i = 0; i < nthreads; i++) {
        thread_t *t = &threads[i];
        long long base, nbytes;
        expect(scanf(" thread %d %lli %lli %d", &t->tid, &base, &nbytes, &t->cpu) == 4 && t->tid == i, "thread");
        t->base = (uint64_t)base;
        t->nbytes = (uint64_t)nbytes;
        uint64_t size = page_round(t->nbytes + sizeof RET);
        unsigned char *code = map_at(t->base, size, PROT_READ | PROT_WRITE);
        for (uint64_t k = 0; k < t->nbytes; k++) {
            unsigned b;
            expect(scanf("%2x", &b) == 1, "code");
            code[k] = (unsigned char)b;
        }
        memcpy(code + t->nbytes, RET, sizeof RET);
        expect(mprotect(code, size, PROT_READ | PROT_EXEC) == 0, "mprotect");
        __builtin___clear_cache((char *)code, (char *)code + size);
        int nregs;
        expect(scanf(" regs %d", &nregs) == 1, "regs");
        for (int r = 0; r < nregs; r++) {
            int idx;
            long long v;
            expect(scanf(" %d %lli", &idx, &v) == 2 && idx >= 0 && idx < NREGS, "reg");
            t->init[idx] = (uint64_t)v;
        }
    }
    expect(scanf(" locs %d", &nlocs) == 1 && nlocs >= 0 && nlocs <= MAX_LOCS, "locs");
    for (int i = 0; i < nlocs; i++) {
        long long a, v, b;
        expect(scanf(" loc %lli %lli %lli", &a, &v, &b) == 3 && b >= 1 && b <= 8, "loc");
        locs[i] = (loc_t){(uint64_t)a, (uint64_t)v, (uint64_t)b};
    }
    expect(scanf(" obs %d", &nobs) == 1 && nobs >= 0 && nobs <= MAX_OBS, "obs");
    for (int i = 0; i < nobs; i++) {
        char kind;
        long long a, b;
        expect(scanf(" obs %c %lli %lli", &kind, &a, &b) == 3, "obs");
        if (kind == 'r') {
            expect(a >= 0 && a < nthreads && b >= 0 && b < NREGS, "obs register");
            obs[i] = (obs_t){1, (int)a, (uint64_t)b, 8};
        } else {
            expect(b >= 1 && b <= 8, "obs location");
            obs[i] = (obs_t){0, -1, (uint64_t)a, (uint64_t)b};
        }
    }
    if (data_size) map_at(data_base, page_round(data_size), PROT_READ | PROT_WRITE);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void) {
    read_input();
    records = calloc((size_t)runs * (size_t)(nobs ? nobs : 1), sizeof *records);
    expect(records != NULL, "memory");
    catch_faults();
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) < nthreads)
        spin_limit = 200; /* oversubscribed: a spinning thread would only delay the others */
    double start = now();
    for (int i = 0; i < nthreads; i++)
        expect(pthread_create(&threads[i].th, NULL, worker, &threads[i]) == 0, "pthread_create");
    /* the watchdog: no run finished for stall_ms -> name the threads still in their code */
    long seen = -1;
    double since = now();
    struct timespec tick = {0, 20 * 1000 * 1000};
    while (runs_done < runs) {
        nanosleep(&tick, NULL);
        if (runs_done != seen) { seen = runs_done; since = now(); continue; }
        if ((now() - since) * 1000 > stall_ms) {
            fprintf(stderr, "stall %ld", current_run);
            for (int i = 0; i < nthreads; i++) if (threads[i].running) fprintf(stderr, " %d", i);
            fprintf(stderr, "\n");
            fflush(stderr);
            _exit(3);
        }
    }
    for (int i = 0; i < nthreads; i++) pthread_join(threads[i].th, NULL);
    double elapsed = now() - start;
    fwrite(records, sizeof *records, (size_t)runs * (size_t)nobs, stdout);
    fflush(stdout);
    fprintf(stderr, "elapsed %.0f\n", elapsed * 1e9);
    return 0;
}
