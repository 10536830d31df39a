using System.Text.Json;
using BgpKit.MetalLb.Model;

namespace BgpKit.Cli.Plan;

/// <summary>Writes a <see cref="ClusterPlan"/> as the JSON object whose field names are the contract of <c>bgpkit plan --format json</c>.</summary>
internal static class PlanJsonWriter
{
    public static string Write(ClusterPlan plan)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", plan.Valid);
            WriteProblems(json, "errors", plan.Errors);
            WriteProblems(json, "pending", plan.Pending);
            WriteProblems(json, "warnings", plan.Warnings);
            json.WriteStartArray("notes");
            foreach (var note in plan.Notes)
            {
                json.WriteStringValue(note);
            }
            json.WriteEndArray();
            json.WriteStartArray("services");
            foreach (var service in plan.Services)
            {
                json.WriteStartObject();
                json.WriteString("namespace", service.Namespace);
                json.WriteString("name", service.Name);
                json.WriteStartArray("addresses");
                foreach (var address in service.Addresses)
                {
                    json.WriteStringValue(address.ToString());
                }
                json.WriteEndArray();
                WriteNullable(json, "pool", service.Pool);
                WriteNullable(json, "error", service.Error);
                json.WriteStartObject("announced");
                foreach (var (node, reason) in service.Announced)
                {
                    json.WriteString(node, reason);
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("nodes");
            foreach (var node in plan.Nodes)
            {
                json.WriteStartObject();
                json.WriteString("name", node.Name);
                json.WriteStartArray("sessions");
                foreach (var s in node.Sessions)
                {
                    json.WriteStartObject();
                    json.WriteString("peer", s.Peer);
                    json.WriteString("address", s.Address.ToString());
                    if (s.Interface is { } name)
                    {
                        json.WriteString("interface", name);
                    }
                    json.WriteNumber("port", s.Port);
                    json.WriteNumber("myAsn", s.MyAsn);
                    if (s.PeerAsn is { } peerAsn)
                    {
                        json.WriteNumber("peerAsn", peerAsn);
                    }
                    else
                    {
                        json.WriteString("peerAsn", s.DynamicAsn);
                    }
                    json.WriteString("holdTime", $"{s.HoldTime.TotalSeconds}s");
                    json.WriteString("keepaliveTime", $"{s.KeepaliveTime.TotalSeconds}s");
                    WriteNullable(json, "routerId", s.RouterId?.ToString());
                    json.WriteBoolean("ebgpMultiHop", s.EbgpMultiHop);
                    WriteNullable(json, "bfdProfile", s.BfdProfile);
                    json.WriteString("vrf", s.Vrf);
                    json.WriteBoolean("passwordSet", s.PasswordSet);
                    json.WriteBoolean("ibgp", s.IsIbgp);
                    WriteNullable(json, "pending", s.Pending);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("announcements");
                foreach (var a in node.Announcements)
                {
                    json.WriteStartObject();
                    json.WriteString("peer", a.Peer);
                    json.WriteString("prefix", a.Prefix.ToString());
                    if (a.LocalPref is { } localPref)
                    {
                        json.WriteNumber("localPref", localPref);
                    }
                    else
                    {
                        json.WriteNull("localPref");
                    }
                    WriteStrings(json, "communities", a.Communities);
                    WriteStrings(json, "largeCommunities", a.LargeCommunities);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteProblems(Utf8JsonWriter json, string name, IReadOnlyList<Problem> problems)
    {
        json.WriteStartArray(name);
        foreach (var p in problems)
        {
            json.WriteStartObject();
            json.WriteString("file", p.File);
            json.WriteNumber("line", p.Line);
            json.WriteString("kind", p.Kind);
            json.WriteString("name", p.Name);
            json.WriteString("field", p.Field);
            json.WriteString("message", p.Message);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
