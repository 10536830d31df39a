using BgpKit.MetalLb.Model.FrrK8s;
using BgpKit.MetalLb.Model.Resources;

namespace BgpKit.MetalLb.Model.Reading;

internal static partial class ManifestReader
{
    private static IpAddressPool ReadPool(FieldReader? spec, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        ServiceAllocation? allocation = null;
        if (spec?.Map("serviceAllocation") is { } sa)
        {
            allocation = new ServiceAllocation(
                (int?)sa.Integer("priority", 0, int.MaxValue),
                sa.Strings("namespaces"),
                sa.Selectors("namespaceSelectors"),
                sa.Selectors("serviceSelectors"));
            sa.Done();
        }
        var pool = new IpAddressPool
        {
            Kind = "IPAddressPool",
            Meta = meta,
            Source = source,
            FieldLines = context.FieldLines,
            Addresses = spec?.Strings("addresses") ?? [],
            AutoAssign = spec?.Bool("autoAssign") ?? true,
            AvoidBuggyIps = spec?.Bool("avoidBuggyIPs") ?? false,
            ServiceAllocation = allocation,
        };
        spec?.Done();
        return pool;
    }

    private static BgpPeer ReadPeer(FieldReader? spec, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        SecretReference? secret = null;
        if (spec?.Map("passwordSecret") is { } ps)
        {
            secret = new SecretReference(ps.String("name") ?? "", ps.String("namespace") ?? meta.Namespace);
            ps.Done();
        }
        var peer = new BgpPeer
        {
            Kind = "BGPPeer",
            Meta = meta,
            Source = source,
            FieldLines = context.FieldLines,
            MyAsn = (uint)(spec?.Integer("myASN", 0, uint.MaxValue) ?? 0),
            PeerAsn = (uint?)spec?.Integer("peerASN", 0, uint.MaxValue),
            DynamicAsn = spec?.String("dynamicASN"),
            PeerAddress = spec?.String("peerAddress") ?? "",
            Interface = spec?.String("interface") ?? "",
            SourceAddress = spec?.String("sourceAddress"),
            PeerPort = (int)(spec?.Integer("peerPort", 0, 65535) ?? 179),
            HoldTime = spec?.Duration("holdTime"),
            KeepaliveTime = spec?.Duration("keepaliveTime"),
            ConnectTime = spec?.Duration("connectTime"),
            RouterId = spec?.String("routerID"),
            Password = spec?.String("password"),
            PasswordSecret = secret,
            BfdProfile = spec?.String("bfdProfile"),
            NodeSelectors = spec?.Selectors("nodeSelectors") ?? [],
            EbgpMultiHop = spec?.Bool("ebgpMultiHop") ?? false,
            Vrf = spec?.String("vrf") ?? "",
            EnableGracefulRestart = spec?.Bool("enableGracefulRestart") ?? false,
            DisableMp = spec?.Bool("disableMP") ?? false,
            DualStackAddressFamily = spec?.Bool("dualStackAddressFamily") ?? false,
        };
        spec?.Done();
        return peer;
    }

    private static BgpAdvertisement ReadBgpAdvertisement(FieldReader? spec, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        var advertisement = new BgpAdvertisement
        {
            Kind = "BGPAdvertisement",
            Meta = meta,
            Source = source,
            FieldLines = context.FieldLines,
            AggregationLength = (int?)spec?.Integer("aggregationLength", 0, 32),
            AggregationLengthV6 = (int?)spec?.Integer("aggregationLengthV6", 0, 128),
            LocalPref = (uint?)spec?.Integer("localPref", 0, uint.MaxValue),
            Communities = spec?.Strings("communities") ?? [],
            IpAddressPools = spec?.Strings("ipAddressPools") ?? [],
            IpAddressPoolSelectors = spec?.Selectors("ipAddressPoolSelectors") ?? [],
            NodeSelectors = spec?.Selectors("nodeSelectors") ?? [],
            Peers = spec?.Strings("peers") ?? [],
            ServiceSelectors = spec?.Selectors("serviceSelectors") ?? [],
        };
        spec?.Done();
        return advertisement;
    }

    private static L2Advertisement ReadL2Advertisement(FieldReader? spec, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        var advertisement = new L2Advertisement
        {
            Kind = "L2Advertisement",
            Meta = meta,
            Source = source,
            FieldLines = context.FieldLines,
            IpAddressPools = spec?.Strings("ipAddressPools") ?? [],
            IpAddressPoolSelectors = spec?.Selectors("ipAddressPoolSelectors") ?? [],
            NodeSelectors = spec?.Selectors("nodeSelectors") ?? [],
            Interfaces = spec?.Strings("interfaces") ?? [],
        };
        spec?.Done();
        return advertisement;
    }

    private static BfdProfile ReadBfdProfile(FieldReader? spec, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        var profile = ReadBfdFields(spec, context, meta, source, "BFDProfile");
        spec?.Done();
        return profile;
    }

    private static BfdProfile ReadBfdFields(FieldReader? spec, ResourceContext context, ObjectMeta meta, SourceRef source, string kind)
    {
        var profile = new BfdProfile
        {
            Kind = kind,
            Meta = meta,
            Source = source,
            FieldLines = context.FieldLines,
            ReceiveInterval = (int)(spec?.Integer("receiveInterval", 10, 60000) ?? 300),
            TransmitInterval = (int)(spec?.Integer("transmitInterval", 10, 60000) ?? 300),
            EchoInterval = (int)(spec?.Integer("echoInterval", 10, 60000) ?? 50),
            DetectMultiplier = (int)(spec?.Integer("detectMultiplier", 2, 255) ?? 3),
            MinimumTtl = (int)(spec?.Integer("minimumTtl", 1, 254) ?? 254),
            EchoMode = spec?.Bool("echoMode") ?? false,
            PassiveMode = spec?.Bool("passiveMode") ?? false,
        };
        return profile;
    }

    private static CommunityResource ReadCommunity(FieldReader? spec, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        var aliases = new List<CommunityAlias>();
        foreach (var entry in spec?.Maps("communities") ?? [])
        {
            aliases.Add(new CommunityAlias(entry.String("name") ?? "", entry.String("value") ?? "", entry.Line));
            entry.Done();
        }
        spec?.Done();
        return new CommunityResource { Kind = "Community", Meta = meta, Source = source, FieldLines = context.FieldLines, Communities = aliases };
    }

    private static FrrConfigurationResource ReadFrrConfiguration(FieldReader? spec, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        var bgp = spec?.Map("bgp");
        var routers = new List<FrrRouter>();
        foreach (var r in bgp?.Maps("routers") ?? [])
        {
            var neighbors = new List<FrrNeighbor>();
            foreach (var n in r.Maps("neighbors"))
            {
                SecretReference? secret = null;
                if (n.Map("passwordSecret") is { } ps)
                {
                    secret = new SecretReference(ps.String("name") ?? "", ps.String("namespace") ?? meta.Namespace);
                    ps.Done();
                }
                var toAdvertise = FrrToAdvertise.None;
                if (n.Map("toAdvertise") is { } ta)
                {
                    var allowed = ta.Map("allowed");
                    toAdvertise = new FrrToAdvertise(
                        allowed?.String("mode") ?? "filtered",
                        allowed?.Strings("prefixes") ?? [],
                        ta.Maps("withLocalPref").Select(w => { var v = new FrrLocalPref((uint)(w.Integer("localPref", 0, uint.MaxValue) ?? 0), w.Strings("prefixes")); w.Done(); return v; }).ToList(),
                        ta.Maps("withCommunity").Select(w => { var v = new FrrCommunity(w.String("community") ?? "", w.Strings("prefixes")); w.Done(); return v; }).ToList());
                    allowed?.Done();
                    ta.Done();
                }
                var toReceive = FrrToReceive.None;
                if (n.Map("toReceive") is { } tr)
                {
                    var allowed = tr.Map("allowed");
                    var prefixes = (allowed?.Maps("prefixes") ?? []).Select(p =>
                    {
                        var v = new FrrPrefixSelector(p.String("prefix") ?? "", (int?)p.Integer("ge", 0, 128), (int?)p.Integer("le", 0, 128));
                        p.Done();
                        return v;
                    }).ToList();
                    toReceive = new FrrToReceive(allowed?.String("mode") ?? "filtered", prefixes);
                    allowed?.Done();
                    tr.Done();
                }
                neighbors.Add(new FrrNeighbor
                {
                    Asn = (uint?)n.Integer("asn", 0, uint.MaxValue),
                    DynamicAsn = n.String("dynamicASN"),
                    Address = n.String("address") ?? "",
                    Port = (int)(n.Integer("port", 0, 65535) ?? 179),
                    Password = n.String("password"),
                    PasswordSecret = secret,
                    SourceAddress = n.String("sourceaddress"),
                    HoldTime = n.Duration("holdTime"),
                    KeepaliveTime = n.Duration("keepaliveTime"),
                    ConnectTime = n.Duration("connectTime"),
                    EbgpMultiHop = n.Bool("ebgpMultiHop") ?? false,
                    BfdProfile = n.String("bfdProfile"),
                    // FRR-K8s as MetalLB: the neighbor's own family only unless dualStackAddressFamily; disableMP (deprecated) is read and means that default.
                    DisableMp = !(n.Bool("dualStackAddressFamily") ?? false) | (n.Bool("disableMP") ?? false),
                    GracefulRestart = n.Bool("enableGracefulRestart") ?? false,
                    ToAdvertise = toAdvertise,
                    ToReceive = toReceive,
                });
                n.Done();
            }
            routers.Add(new FrrRouter((uint)(r.Integer("asn", 0, uint.MaxValue) ?? 0), r.String("id"), r.String("vrf") ?? "", r.Strings("prefixes"), neighbors));
            r.Done();
        }
        var profiles = new List<BfdProfile>();
        foreach (var p in bgp?.Maps("bfdProfiles") ?? [])
        {
            var name = p.String("name") ?? "";
            profiles.Add(ReadBfdFields(p, context, new ObjectMeta(name, meta.Namespace, ObjectMeta.NoLabels, ObjectMeta.NoLabels), new SourceRef(source.File, p.Line), "FRRConfiguration.bfdProfile"));
            p.Done();
        }
        bgp?.Done();
        var selector = spec?.Selector("nodeSelector");
        spec?.Get("raw");
        spec?.Done();
        return new FrrConfigurationResource { Kind = "FRRConfiguration", Meta = meta, Source = source, FieldLines = context.FieldLines, Routers = routers, BfdProfiles = profiles, NodeSelector = selector };
    }
}
