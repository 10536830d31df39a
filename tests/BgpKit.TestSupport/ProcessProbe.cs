using System.Globalization;

namespace BgpKit.TestSupport;

/// <summary>What Linux reports about a process at one moment (from <c>/proc/PID</c>).</summary>
/// <param name="RssBytes">Resident set size (<c>VmRSS</c>).</param>
/// <param name="RssAnonBytes">Its anonymous part (<c>RssAnon</c>): heaps and stacks, not mapped files.</param>
/// <param name="RssShmemBytes">Its shared-memory part (<c>RssShmem</c>): for .NET mostly JIT-compiled code, which W^X maps twice through a memfd.</param>
/// <param name="Threads">Threads (<c>Threads</c>).</param>
/// <param name="Fds">Open file descriptors (entries of <c>/proc/PID/fd</c>), except the assemblies the JIT runtime keeps open.</param>
/// <param name="Sockets">The descriptors that are sockets (<c>socket:[inode]</c>).</param>
public sealed record ProcessProbe(long RssBytes, long RssAnonBytes, long RssShmemBytes, int Threads, int Fds, int Sockets)
{
    /// <summary>Reads <c>/proc/<paramref name="pid"/>/status</c> and <c>/proc/<paramref name="pid"/>/fd</c>; null once the process is gone.</summary>
    public static ProcessProbe? Read(int pid)
    {
        try
        {
            long rss = 0, anon = 0, shmem = 0;
            var threads = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line);
                }
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anon = Kilobytes(line);
                }
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                {
                    shmem = Kilobytes(line);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
                }
            }
            int fds = 0, sockets = 0;
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                // A descriptor closed between listing and reading has no target any more.
                var target = new FileInfo(fd).LinkTarget;
                // The JIT runtime keeps each assembly it loads open for good, and loads them lazily as new code paths run
                // (minutes into a churn run): growth there is warm-up, not a leak, so assemblies are not counted.
                if (target is not null && target.EndsWith(".dll", StringComparison.Ordinal))
                {
                    continue;
                }
                fds++;
                if (target is not null && target.StartsWith("socket:", StringComparison.Ordinal))
                {
                    sockets++;
                }
            }
            return new ProcessProbe(rss, anon, shmem, threads, fds, sockets);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // "VmRSS:	  123456 kB"
    private static long Kilobytes(string line) =>
        long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) * 1024;
}
