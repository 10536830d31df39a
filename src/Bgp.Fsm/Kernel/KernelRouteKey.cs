using System.Net;

namespace BgpKit.Bgp.Fsm.Kernel;

/// <summary>Where a kernel route lives: its routing table (254 is main; a VRF has its own) and its destination prefix.</summary>
/// <param name="Table">The routing table id.</param>
/// <param name="Prefix">The destination.</param>
public readonly record struct KernelRouteKey(uint Table, IPNetwork Prefix)
{
    /// <inheritdoc />
    public override string ToString() => Table == KernelRouteTable.MainTable ? Prefix.ToString() : $"{Prefix} table {Table}";
}
