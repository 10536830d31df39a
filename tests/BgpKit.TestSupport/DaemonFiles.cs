using System.Diagnostics;

namespace BgpKit.TestSupport;

/// <summary>What every daemon launcher does the same way: read a log the daemon is still writing, and stop the daemon.</summary>
public static class DaemonFiles
{
    /// <summary>The file's text so far ("" when it does not exist yet), read while the daemon keeps it open for writing.</summary>
    public static string ReadLog(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Kills the daemon by pid (thawing it first, in case a test froze it), waits for it and releases the handle.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                ProcessSignal.Continue(process.Id);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }
}
