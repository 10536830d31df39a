// libFuzzer <-> SharpFuzz bridge: libFuzzer drives the mutations and reads coverage from the
// __libfuzzer_extra_counters section; a .NET child (BgpKit.Fuzz libfuzzer HARNESS, instrumented
// assemblies) runs each input. SharpFuzz's Fuzzer.LibFuzzer.Run expects, in its environment,
// __LIBFUZZER_SHM_ID (a SysV segment: the 64 KiB edge map, then up to 1 MiB of input) and the
// control and status pipe descriptors; it reports "ready" once, then per input reads a 4-octet
// length and answers a 4-octet status (non-zero: the input failed).
//   clang -O1 -fsanitize=fuzzer fuzz/libfuzzer/dotnet-bridge.c -o fuzz/.work/dotnet-bridge
//   BGPKIT_FUZZ_TARGET="dotnet fuzz/.work/bin/BgpKit.Fuzz.dll libfuzzer l2" fuzz/.work/dotnet-bridge CORPUS_DIR
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

enum { EdgeMapSize = 1 << 16, MaxInput = 1 << 20, ControlFd = 198, StatusFd = 199 };

// Global and used: the linker then defines __start_/__stop___libfuzzer_extra_counters, where libFuzzer looks.
__attribute__((section("__libfuzzer_extra_counters"), used)) uint8_t bgpkit_dotnet_coverage[EdgeMapSize];

static uint8_t *shared;
static int segment;
static int control;
static int status;

static void fail(const char *what)
{
    fprintf(stderr, "dotnet-bridge: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void release(void) { shmctl(segment, IPC_RMID, NULL); }

static void transfer(int fd, void *word, int writing)
{
    ssize_t n;
    do
    {
        n = writing ? write(fd, word, 4) : read(fd, word, 4);
    } while (n < 0 && errno == EINTR);
    if (n != 4)
    {
        fprintf(stderr, "dotnet-bridge: the .NET side %s\n", n == 0 ? "exited" : "broke the pipe");
        exit(2);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *target = getenv("BGPKIT_FUZZ_TARGET");
    if (target == NULL || *target == 0)
    {
        fprintf(stderr, "dotnet-bridge: set BGPKIT_FUZZ_TARGET to the .NET command line\n");
        exit(2);
    }
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0)
        fail("pipe");
    segment = shmget(IPC_PRIVATE, EdgeMapSize + MaxInput, IPC_CREAT | IPC_EXCL | 0600);
    if (segment < 0)
        fail("shmget");
    atexit(release);
    shared = shmat(segment, NULL, 0);
    if (shared == (void *)-1)
        fail("shmat");
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0)
        fail("fork");
    if (child == 0)
    {
        // The .NET side does not stop when its control pipe closes: end it with the bridge, however the bridge ends
        // (time limit, crash, -merge's sub-processes), or it is left behind waiting.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
            fail("prctl");
        if (getppid() != parent)
            _exit(2); // the bridge ended before the line above
        if (dup2(to_child[0], ControlFd) < 0 || dup2(from_child[1], StatusFd) < 0)
            fail("dup2");
        char number[16];
        snprintf(number, sizeof number, "%d", segment);
        setenv("__LIBFUZZER_SHM_ID", number, 1);
        setenv("__LIBFUZZER_CONTROL_PIPE_ID", "198", 1);
        setenv("__LIBFUZZER_STATUS_PIPE_ID", "199", 1);
        // Split the command line on spaces (paths with spaces are not supported).
        char *line = strdup(target);
        char *args[64];
        int count = 0;
        for (char *word = strtok(line, " "); word != NULL && count < 63; word = strtok(NULL, " "))
            args[count++] = word;
        args[count] = NULL;
        execvp(args[0], args);
        fail("exec");
    }
    close(to_child[0]);
    close(from_child[1]);
    control = to_child[1];
    status = from_child[0];
    int32_t ready;
    transfer(status, &ready, 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MaxInput)
        return 0; // longer than the shared segment holds: not run
    memset(shared, 0, EdgeMapSize);
    memcpy(shared + EdgeMapSize, data, size);
    int32_t length = (int32_t)size, result;
    transfer(control, &length, 1);
    transfer(status, &result, 0);
    memcpy(bgpkit_dotnet_coverage, shared, EdgeMapSize);
    if (result != 0)
        __builtin_trap(); // libFuzzer saves the input as crash-*
    return 0;
}
