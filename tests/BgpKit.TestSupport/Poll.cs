namespace BgpKit.TestSupport;

/// <summary>Bounded polling for interop tests: check a condition every 150 ms up to a generous limit.</summary>
public static class Poll
{
    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> (and the last exception) after <paramref name="timeout"/> (default 30 s).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var start = System.Diagnostics.Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
                last = null;
            }
            catch (Exception e)
            {
                last = e;
            }
            if (start.Elapsed > limit)
            {
                throw new TimeoutException($"timed out after {limit.TotalSeconds:0} s waiting for {what}" + (last is null ? "" : ": " + last.Message), last);
            }
            await Task.Delay(150).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns a value that satisfies <paramref name="accept"/>, and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<T> probe, Func<T, bool> accept, string what, TimeSpan? timeout = null)
    {
        T value = default!;
        await UntilAsync(() => accept(value = probe()), what, timeout).ConfigureAwait(false);
        return value;
    }
}
