namespace BgpKit.TestSupport;

/// <summary>
/// An nftables table inside a test's network namespace that drops matching packets in both directions
/// (input and output hooks): a path that freezes without any link or socket noticing. Dispose deletes
/// the table, and the path thaws.
/// <code>
/// using (NftDrop.Install(ns, "udp dport 3784", "tcp dport 179", "tcp sport 179")) { ... }
/// </code>
/// </summary>
public sealed class NftDrop : IDisposable
{
    private readonly string _netns;
    private readonly string _table;
    private bool _disposed;

    private NftDrop(string netns, string table)
    {
        _netns = netns;
        _table = table;
    }

    /// <summary>Adds a table to <paramref name="ns"/> with one drop rule per match (nft syntax, e.g. <c>udp dport 3784</c>).</summary>
    public static NftDrop Install(NetNamespace ns, params string[] matches)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return Install(ns.Name, matches);
    }

    /// <summary>As <see cref="Install(NetNamespace, string[])"/>, in the namespace named <paramref name="netns"/> (one of a <see cref="NetBridge"/>'s).</summary>
    public static NftDrop Install(string netns, params string[] matches)
    {
        ArgumentException.ThrowIfNullOrEmpty(netns);
        var table = "bgpkit_drop_" + Guid.NewGuid().ToString("N")[..8];
        var script = new System.Text.StringBuilder();
        script.Append("table inet ").Append(table).Append(" {\n");
        foreach (var hook in new[] { "input", "output" })
        {
            script.Append(" chain ").Append(hook).Append(" {\n  type filter hook ").Append(hook).Append(" priority 0; policy accept;\n");
            foreach (var match in matches)
            {
                script.Append("  ").Append(match).Append(" drop\n");
            }
            script.Append(" }\n");
        }
        script.Append("}\n");
        var file = Path.Combine(Path.GetTempPath(), table + ".nft");
        File.WriteAllText(file, script.ToString());
        try
        {
            Exec(netns, "nft", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
        return new NftDrop(netns, table);
    }

    /// <summary>Deletes the table (the path carries traffic again).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            Exec(_netns, "nft", "delete", "table", "inet", _table);
        }
        catch (InvalidOperationException)
        {
            // The namespace is already gone, and its tables with it.
        }
    }

    private static void Exec(string netns, params string[] command) => FrrBfdd.Run("ip", ["netns", "exec", netns, .. command]);
}
