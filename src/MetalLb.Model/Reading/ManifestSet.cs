using System.Runtime.CompilerServices;
using BgpKit.MetalLb.Model.FrrK8s;
using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model;

/// <summary>
/// The resources read from a set of manifests (MetalLB, FRR-K8s and the core kinds that matter),
/// with the problems found while reading. Build one with <see cref="Load(IEnumerable{string})"/> or
/// <see cref="Parse(string, string)"/>; <see cref="Add(ManifestSet)"/> combines sets.
/// </summary>
public sealed class ManifestSet
{
    // Allocated when first used: a set read from one object holds one kind, and planning reads and combines a set per
    // object on every change of a cluster.
    private List<IpAddressPool>? _pools;
    private List<BgpPeer>? _peers;
    private List<BgpAdvertisement>? _bgpAdvertisements;
    private List<L2Advertisement>? _l2Advertisements;
    private List<BfdProfile>? _bfdProfiles;
    private List<CommunityResource>? _communities;
    private List<FrrConfigurationResource>? _frrConfigurations;
    private List<ServiceResource>? _services;
    private List<NodeResource>? _nodes;
    private List<NamespaceResource>? _namespaces;
    private List<SecretResource>? _secrets;
    private List<EndpointSliceResource>? _endpointSlices;
    private List<Problem>? _readProblems;

    internal List<IpAddressPool> Pools => _pools ??= [];
    internal List<BgpPeer> Peers => _peers ??= [];
    internal List<BgpAdvertisement> BgpAdvertisements => _bgpAdvertisements ??= [];
    internal List<L2Advertisement> L2Advertisements => _l2Advertisements ??= [];
    internal List<BfdProfile> BfdProfiles => _bfdProfiles ??= [];
    internal List<CommunityResource> Communities => _communities ??= [];
    internal List<FrrConfigurationResource> FrrConfigurations => _frrConfigurations ??= [];
    internal List<ServiceResource> Services => _services ??= [];
    internal List<NodeResource> Nodes => _nodes ??= [];
    internal List<NamespaceResource> Namespaces => _namespaces ??= [];
    internal List<SecretResource> Secrets => _secrets ??= [];
    internal List<EndpointSliceResource> EndpointSlices => _endpointSlices ??= [];
    internal List<Problem> ReadProblems => _readProblems ??= [];

    /// <summary>Problems found while reading: unknown fields, wrong types, ignored kinds.</summary>
    public IReadOnlyList<Problem> Problems => ReadProblems;

    /// <summary>True when a file could not be read or was not YAML/JSON at all (exit code 2 in the CLI).</summary>
    public bool HasReadFailure { get; internal set; }

    /// <summary>How many resources were read.</summary>
    public int ResourceCount { get; internal set; }

    /// <summary>Whether any Node manifest was given.</summary>
    public bool HasNodes => Nodes.Count > 0;

    /// <summary>Whether any EndpointSlice was given; without any, every service counts as served on every node.</summary>
    public bool HasEndpointSlices => EndpointSlices.Count > 0;

    /// <summary>Reads files and directories (recursively, *.yaml, *.yml, *.json, in name order).</summary>
    public static ManifestSet Load(IEnumerable<string> paths)
    {
        var set = new ManifestSet();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal))
                {
                    set.ReadFile(file);
                }
            }
            else if (File.Exists(path))
            {
                set.ReadFile(path);
            }
            else
            {
                set.HasReadFailure = true;
                set.ReadProblems.Add(new Problem { Severity = ProblemSeverity.Error, File = path, Message = "no such file or directory" });
            }
        }
        return set;
    }

    /// <summary>Reads manifests from text; <paramref name="file"/> names them in problems.</summary>
    public static ManifestSet Parse(string text, string file = "<input>") => Parse(text, file, ReadMode.Manifest);

    /// <summary>
    /// Reads manifests from text as <paramref name="mode"/> says: <see cref="ReadMode.ApiServer"/> for
    /// objects an API server returned (defaults filled in, server metadata, status), which accepts every
    /// field of upstream's CRDs and warns about those BgpKit does not implement when they are not at their
    /// default; <see cref="ReadMode.Manifest"/> for files, where every unknown field is an error.
    /// </summary>
    public static ManifestSet Parse(string text, string file, ReadMode mode)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Readings.TryGetValue(text, out var reading) || reading.File != file || reading.Mode != mode)
        {
            var read = new ManifestSet();
            Reading.ManifestReader.Read(read, text, file, mode);
            reading = new CachedReading(file, mode, read);
            Readings.AddOrUpdate(text, reading);
        }
        return new ManifestSet().Add(reading.Set);
    }

    /// <summary>
    /// What <see cref="Parse(string, string, ReadMode)"/> read from each text still alive, keyed by the text object
    /// itself. A controller or a speaker plans from whole snapshots and so parsed every object again on each watch
    /// event, while a source keeps the same string for an object until it changes: YAML reading was most of a
    /// plan's time. A reading depends only on (text, file, mode) and holds only immutable values (records,
    /// read-only lists and maps), and each caller gets its own set with them added, so sharing it changes no
    /// result. Entries go when their text is collected.
    /// </summary>
    private static readonly ConditionalWeakTable<string, CachedReading> Readings = new();

    private sealed record CachedReading(string File, ReadMode Mode, ManifestSet Set);

    /// <summary>Adds every resource and problem of <paramref name="other"/> to this set.</summary>
    public ManifestSet Add(ManifestSet other)
    {
        Append(ref _pools, other._pools);
        Append(ref _peers, other._peers);
        Append(ref _bgpAdvertisements, other._bgpAdvertisements);
        Append(ref _l2Advertisements, other._l2Advertisements);
        Append(ref _bfdProfiles, other._bfdProfiles);
        Append(ref _communities, other._communities);
        Append(ref _frrConfigurations, other._frrConfigurations);
        Append(ref _services, other._services);
        Append(ref _nodes, other._nodes);
        Append(ref _namespaces, other._namespaces);
        Append(ref _secrets, other._secrets);
        Append(ref _endpointSlices, other._endpointSlices);
        Append(ref _readProblems, other._readProblems);
        HasReadFailure |= other.HasReadFailure;
        ResourceCount += other.ResourceCount;
        return this;
    }

    private static void Append<T>(ref List<T>? into, List<T>? from)
    {
        if (from is { Count: > 0 })
        {
            (into ??= []).AddRange(from);
        }
    }

    private void ReadFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException e)
        {
            HasReadFailure = true;
            ReadProblems.Add(new Problem { Severity = ProblemSeverity.Error, File = file, Message = $"cannot read: {e.Message}" });
            return;
        }
        catch (UnauthorizedAccessException e)
        {
            HasReadFailure = true;
            ReadProblems.Add(new Problem { Severity = ProblemSeverity.Error, File = file, Message = $"cannot read: {e.Message}" });
            return;
        }
        Reading.ManifestReader.Read(this, text, file);
    }
}
