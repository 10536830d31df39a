namespace BgpKit.TestSupport;

/// <summary>
/// A Linux VRF device (<c>ip link add NAME type vrf table N</c>) in the test's own network namespace, with devices
/// enslaved to it; deleted in <see cref="Dispose"/> (its slaves return to the default VRF).
/// </summary>
public sealed class VrfDevice : IDisposable
{
    private static readonly Lazy<string?> Missing = new(Probe);
    private bool _disposed;

    private VrfDevice(string name) => Name = name;

    /// <summary>Why VRFs cannot be made here (the kernel lacks the vrf driver), or null when they can.</summary>
    public static string? Unsupported => Missing.Value;

    /// <summary>The VRF device's name (what a socket binds to with SO_BINDTODEVICE).</summary>
    public string Name { get; }

    /// <summary>Creates a VRF with a unique name and a routing table of its own, and brings it up.</summary>
    public static VrfDevice Create()
    {
        var vrf = new VrfDevice("bkvrf" + Guid.NewGuid().ToString("N")[..6]);
        var table = Random.Shared.Next(1000, 60000);
        try
        {
            PeerDaemon.Run("ip", "link", "add", vrf.Name, "type", "vrf", "table", table.ToString(System.Globalization.CultureInfo.InvariantCulture));
            PeerDaemon.Run("ip", "link", "set", vrf.Name, "up");
        }
        catch
        {
            vrf.Dispose();
            throw;
        }
        return vrf;
    }

    /// <summary>Moves <paramref name="device"/> (and its connected routes) into this VRF.</summary>
    public void Enslave(string device) => PeerDaemon.Run("ip", "link", "set", device, "master", Name);

    /// <summary>Deletes the VRF device.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            PeerDaemon.Run("ip", "link", "del", Name);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Tries to make a VRF inside a throwaway namespace, so the test's own namespace is untouched.</summary>
    private static string? Probe()
    {
        var ns = "bkvrfprobe-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            PeerDaemon.Run("ip", "netns", "add", ns);
            PeerDaemon.Run("ip", "-n", ns, "link", "add", "vrf-probe", "type", "vrf", "table", "10");
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "the kernel lacks VRF support (`ip link add vrf-probe type vrf table 10` failed: " + e.Message.Trim() + ")";
        }
        finally
        {
            try
            {
                PeerDaemon.Run("ip", "netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
