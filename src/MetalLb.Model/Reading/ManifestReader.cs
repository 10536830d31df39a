using System.Net;
using System.Text;
using BgpKit.MetalLb.Model.Resources;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BgpKit.MetalLb.Model.Reading;

/// <summary>
/// Reads multi-document YAML or JSON (JSON is YAML's flow syntax) through YamlDotNet's representation
/// model, so that every problem can name its line. <c>List</c> kinds are unpacked.
/// </summary>
internal static partial class ManifestReader
{
    public static void Read(ManifestSet set, string text, string file, ReadMode mode = ReadMode.Manifest)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            set.HasReadFailure = true;
            set.ReadProblems.Add(new Problem { Severity = ProblemSeverity.Error, File = file, Line = (int)e.Start.Line, Message = $"not valid YAML: {e.Message}" });
            return;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1.0 throws these, not YamlException, for some damaged streams (a bad %TAG
            // directive, a surrogate escape, tokens after the end): found by AFL++, fuzz/regressions/manifest.
            // It gives no position for them, so the problem names the file only.
            set.HasReadFailure = true;
            set.ReadProblems.Add(new Problem { Severity = ProblemSeverity.Error, File = file, Message = $"not valid YAML: {e.Message}" });
            return;
        }
        foreach (var document in stream.Documents)
        {
            ReadObject(set, document.RootNode, file, mode);
        }
    }

    private static void ReadObject(ManifestSet set, YamlNode node, string file, ReadMode mode)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return;
        }
        if (node is not YamlMappingNode map)
        {
            set.ReadProblems.Add(new Problem { Severity = ProblemSeverity.Error, File = file, Line = (int)node.Start.Line, Message = "a manifest must be an object with apiVersion and kind" });
            return;
        }
        string kind = Scalar(map, "kind") ?? "";
        string apiVersion = Scalar(map, "apiVersion") ?? "";
        if (kind.EndsWith("List", StringComparison.Ordinal) && map.Children.TryGetValue(new YamlScalarNode("items"), out var items))
        {
            if (items is YamlSequenceNode sequence)
            {
                foreach (var item in sequence)
                {
                    ReadObject(set, item, file, mode);
                }
            }
            return;
        }
        var meta = map.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) && m is YamlMappingNode mm ? mm : null;
        string name = meta is null ? "" : Scalar(meta, "name") ?? "";
        var context = new ResourceContext(file, kind.Length == 0 ? "(no kind)" : kind, name, set.ReadProblems, mode);
        var root = new FieldReader(context, map, "");
        root.Get("apiVersion");
        root.Get("kind");
        root.Get("status");
        var metaReader = root.Map("metadata");
        var objectMeta = ReadMeta(metaReader);
        var source = new SourceRef(file, (int)map.Start.Line);
        if (kind.Length == 0)
        {
            context.Report(ProblemSeverity.Error, source.Line, "kind", "missing kind");
            set.HasReadFailure = true;
            return;
        }
        if (objectMeta.Name.Length == 0)
        {
            context.Report(ProblemSeverity.Error, source.Line, "metadata.name", "missing name");
        }
        set.ResourceCount++;
        bool metallb = apiVersion.StartsWith("metallb.io/", StringComparison.Ordinal);
        bool frrk8s = apiVersion.StartsWith("frrk8s.metallb.io/", StringComparison.Ordinal);
        switch (kind)
        {
            case "IPAddressPool" when metallb:
                Add(set.Pools, ReadPool(root.Map("spec"), context, objectMeta, source), root);
                break;
            case "BGPPeer" when metallb:
                Add(set.Peers, ReadPeer(root.Map("spec"), context, objectMeta, source), root);
                break;
            case "BGPAdvertisement" when metallb:
                Add(set.BgpAdvertisements, ReadBgpAdvertisement(root.Map("spec"), context, objectMeta, source), root);
                break;
            case "L2Advertisement" when metallb:
                Add(set.L2Advertisements, ReadL2Advertisement(root.Map("spec"), context, objectMeta, source), root);
                break;
            case "BFDProfile" when metallb:
                Add(set.BfdProfiles, ReadBfdProfile(root.Map("spec"), context, objectMeta, source), root);
                break;
            case "Community" when metallb:
                Add(set.Communities, ReadCommunity(root.Map("spec"), context, objectMeta, source), root);
                break;
            case "FRRConfiguration" when frrk8s:
                Add(set.FrrConfigurations, ReadFrrConfiguration(root.Map("spec"), context, objectMeta, source), root);
                break;
            case "Service" when apiVersion == "v1":
                context.Name = $"{objectMeta.Namespace}/{objectMeta.Name}";
                set.Services.Add(ReadService(root, context, objectMeta, source));
                break;
            case "Node" when apiVersion == "v1":
                set.Nodes.Add(new NodeResource { Kind = kind, Meta = objectMeta, Source = source });
                break;
            case "Namespace" when apiVersion == "v1":
                set.Namespaces.Add(new NamespaceResource { Kind = kind, Meta = objectMeta, Source = source });
                break;
            case "Secret" when apiVersion == "v1":
                context.Name = $"{objectMeta.Namespace}/{objectMeta.Name}";
                set.Secrets.Add(ReadSecret(root, context, objectMeta, source));
                break;
            case "EndpointSlice" when apiVersion.StartsWith("discovery.k8s.io/", StringComparison.Ordinal):
                context.Name = $"{objectMeta.Namespace}/{objectMeta.Name}";
                set.EndpointSlices.Add(ReadEndpointSlice(root, context, objectMeta, source));
                break;
            case "ConfigMap" when objectMeta.Name == "config" && objectMeta.Namespace == "metallb-system":
                context.Report(ProblemSeverity.Error, source.Line, "", "the ConfigMap configuration of MetalLB before 0.13 is not read; convert it to custom resources (IPAddressPool, BGPPeer, BGPAdvertisement)");
                break;
            default:
                // A server also serves kinds BgpKit has no use for (ConfigurationState, ServiceBGPStatus).
                if ((metallb || frrk8s) && mode != ReadMode.ApiServer)
                {
                    context.Report(ProblemSeverity.Error, source.Line, "kind", $"unknown kind {kind} in {apiVersion}");
                }
                else
                {
                    context.Report(ProblemSeverity.Warning, source.Line, "kind", $"{apiVersion} {kind} is not used by the plan and was skipped");
                }
                break;
        }
    }

    private static void Add<T>(List<T> list, T resource, FieldReader root)
    {
        root.Done();
        list.Add(resource);
    }

    private static ObjectMeta ReadMeta(FieldReader? meta)
    {
        if (meta is null)
        {
            return new ObjectMeta("", "", ObjectMeta.NoLabels, ObjectMeta.NoLabels);
        }
        return new ObjectMeta(meta.String("name") ?? "", meta.String("namespace") ?? "", meta.StringMap("labels"), meta.StringMap("annotations"));
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode s ? s.Value : null;

    private static ServiceResource ReadService(FieldReader root, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        var spec = root.Map("spec");
        var status = root.Map("status");
        var ingress = new List<IPAddress>();
        foreach (var entry in status?.Map("loadBalancer")?.Maps("ingress") ?? [])
        {
            if (entry.String("ip") is { } ip && StrictIp.TryParse(ip, out var address))
            {
                ingress.Add(address);
            }
        }
        var ports = new List<ServicePort>();
        foreach (var port in spec?.Maps("ports") ?? [])
        {
            ports.Add(new ServicePort(port.String("protocol") ?? "TCP", (int)(port.Integer("port", 0, 65535) ?? 0)));
        }
        return new ServiceResource
        {
            Kind = "Service",
            Meta = meta,
            Source = source,
            FieldLines = context.FieldLines,
            Type = spec?.String("type") ?? "ClusterIP",
            LoadBalancerIp = spec?.String("loadBalancerIP"),
            LoadBalancerClass = spec?.String("loadBalancerClass"),
            IpFamilyPolicy = spec?.String("ipFamilyPolicy"),
            IpFamilies = spec?.Strings("ipFamilies") ?? [],
            ExternalTrafficPolicy = spec?.String("externalTrafficPolicy") ?? "Cluster",
            Ports = ports,
            Selector = spec?.StringMap("selector") ?? ObjectMeta.NoLabels,
            IngressIps = ingress,
        };
    }

    private static SecretResource ReadSecret(FieldReader root, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in root.StringMap("data"))
        {
            try
            {
                data[key] = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            }
            catch (FormatException)
            {
                // Never echo the value: it is a secret.
                context.Report(ProblemSeverity.Error, context.FieldLines.GetValueOrDefault("data", source.Line), $"data.{key}", "not valid base64");
            }
        }
        foreach (var (key, value) in root.StringMap("stringData"))
        {
            data[key] = value;
        }
        return new SecretResource { Kind = "Secret", Meta = meta, Source = source, FieldLines = context.FieldLines, Type = root.String("type") ?? "Opaque", Data = data };
    }

    private static EndpointSliceResource ReadEndpointSlice(FieldReader root, ResourceContext context, ObjectMeta meta, SourceRef source)
    {
        var endpoints = new List<Endpoint>();
        foreach (var endpoint in root.Maps("endpoints"))
        {
            var conditions = endpoint.Map("conditions");
            bool ready = conditions?.Bool("ready") ?? true;
            bool serving = conditions?.Bool("serving") ?? ready;
            endpoints.Add(new Endpoint(endpoint.String("nodeName"), ready, serving));
        }
        return new EndpointSliceResource
        {
            Kind = "EndpointSlice",
            Meta = meta,
            Source = source,
            FieldLines = context.FieldLines,
            ServiceName = meta.Labels.GetValueOrDefault("kubernetes.io/service-name", ""),
            Endpoints = endpoints,
        };
    }
}
