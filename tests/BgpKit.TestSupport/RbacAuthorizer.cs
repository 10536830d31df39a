using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// One request as Kubernetes' authorizer sees it (<c>authorizer.Attributes</c>): verb, API group (""
/// for core), resource (plural), subresource, namespace (null for cluster scope or all namespaces),
/// the object's name (null for collections: list, watch, create) and the user.
/// </summary>
public sealed record AuthorizationRequest(string Verb, string Group, string Resource, string? Subresource, string? Namespace, string? Name, string User)
{
    public override string ToString() =>
        $"{User} {Verb} {(Group.Length == 0 ? "" : Group + "/")}{Resource}{(Subresource is null ? "" : "/" + Subresource)}"
        + $"{(Name is null ? "" : " " + Name)} {(Namespace is null ? "(cluster)" : "in " + Namespace)}";
}

/// <summary>
/// Kubernetes RBAC (the <c>rbac.authorization.k8s.io/v1</c> authorizer) over a set of Roles,
/// ClusterRoles, RoleBindings and ClusterRoleBindings, for <see cref="FakeApiServer.RequestAuthorizer"/>:
/// a request is allowed when a rule of a role bound to the user (or to one of its groups) names its
/// API group, its resource (<c>resource/subresource</c> for a subresource), its verb and, when the rule
/// lists <c>resourceNames</c>, its object's name. A RoleBinding grants only in its own namespace (also
/// when it binds a ClusterRole); a ClusterRoleBinding grants everywhere. "*" matches anything, as the real
/// authorizer does (BgpKit's own roles use none; <see cref="Wildcards"/> lists any found).
/// ServiceAccount users are <c>system:serviceaccount:NS:NAME</c>, in the groups
/// <c>system:serviceaccounts</c> and <c>system:serviceaccounts:NS</c>.
/// </summary>
public sealed class RbacAuthorizer
{
    private readonly Dictionary<(string? Namespace, string Name), List<Rule>> _roles = [];
    private readonly List<Binding> _bindings = [];

    private sealed record Rule(string[] Groups, string[] Resources, string[] Verbs, string[] Names);

    private sealed record Binding(string? Namespace, string RoleKind, string RoleName, string[] Subjects);

    /// <summary>Reads the RBAC objects among <paramref name="objects"/> (others are ignored).</summary>
    public RbacAuthorizer(IEnumerable<JsonObject> objects)
    {
        foreach (var o in objects)
        {
            if (o["apiVersion"]?.GetValue<string>() != "rbac.authorization.k8s.io/v1")
            {
                continue;
            }
            var kind = o["kind"]!.GetValue<string>();
            var name = o["metadata"]!["name"]!.GetValue<string>();
            var ns = o["metadata"]!["namespace"]?.GetValue<string>();
            switch (kind)
            {
                case "Role":
                case "ClusterRole":
                    _roles[(kind == "Role" ? ns ?? throw new InvalidDataException($"Role {name} has no namespace") : null, name)] =
                        (o["rules"] as JsonArray ?? []).Select(r => new Rule(Strings(r, "apiGroups"), Strings(r, "resources"), Strings(r, "verbs"), Strings(r, "resourceNames"))).ToList();
                    break;
                case "RoleBinding":
                case "ClusterRoleBinding":
                    var roleRef = o["roleRef"]!;
                    _bindings.Add(new Binding(kind == "RoleBinding" ? ns ?? throw new InvalidDataException($"RoleBinding {name} has no namespace") : null,
                        roleRef["kind"]!.GetValue<string>(), roleRef["name"]!.GetValue<string>(),
                        (o["subjects"] as JsonArray ?? []).Select(s => Subject(s!, ns)).ToArray()));
                    break;
            }
        }
    }

    /// <summary>Every rule that grants through "*" (a verb, a group, a resource), as "Role ns/name: ...".</summary>
    public IEnumerable<string> Wildcards =>
        _roles.SelectMany(role => role.Value
            .Where(r => r.Groups.Contains("*") || r.Verbs.Contains("*") || r.Resources.Any(x => x.Contains('*', StringComparison.Ordinal)))
            .Select(r => $"{role.Key.Namespace}/{role.Key.Name}: {string.Join(",", r.Groups)} {string.Join(",", r.Resources)} {string.Join(",", r.Verbs)}"));

    /// <summary>Whether RBAC allows <paramref name="request"/>.</summary>
    public bool Allows(AuthorizationRequest request)
    {
        var identities = Identities(request.User);
        foreach (var binding in _bindings)
        {
            if (binding.Namespace is { } scope && scope != request.Namespace || !binding.Subjects.Any(identities.Contains))
            {
                continue;
            }
            var key = (binding.RoleKind == "Role" ? binding.Namespace : null, binding.RoleName);
            if (_roles.TryGetValue(key, out var rules) && rules.Any(r => Matches(r, request)))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Matches(Rule rule, AuthorizationRequest r)
    {
        var resource = r.Subresource is null ? r.Resource : r.Resource + "/" + r.Subresource;
        return (rule.Groups.Contains(r.Group) || rule.Groups.Contains("*"))
            && (rule.Verbs.Contains(r.Verb) || rule.Verbs.Contains("*"))
            && rule.Resources.Any(x => x == resource || x == "*"
                || r.Subresource is not null && (x == "*/" + r.Subresource || x == r.Resource + "/*"))
            // resourceNames restrict to named objects: a collection request (list, watch, create) has no name.
            && (rule.Names.Length == 0 || r.Name is not null && rule.Names.Contains(r.Name));
    }

    private static HashSet<string> Identities(string user)
    {
        var set = new HashSet<string>(StringComparer.Ordinal) { "User:" + user, "Group:system:authenticated" };
        var parts = user.Split(':');
        if (parts is ["system", "serviceaccount", var ns, _])
        {
            set.Add("Group:system:serviceaccounts");
            set.Add("Group:system:serviceaccounts:" + ns);
        }
        if (user == "system:anonymous")
        {
            set.Remove("Group:system:authenticated");
            set.Add("Group:system:unauthenticated");
        }
        return set;
    }

    private static string Subject(JsonNode s, string? bindingNamespace)
    {
        var kind = s["kind"]!.GetValue<string>();
        var name = s["name"]!.GetValue<string>();
        return kind == "ServiceAccount"
            ? $"User:system:serviceaccount:{s["namespace"]?.GetValue<string>() ?? bindingNamespace}:{name}"
            : $"{kind}:{name}";
    }

    private static string[] Strings(JsonNode? node, string field) =>
        (node?[field] as JsonArray ?? []).Select(v => v!.GetValue<string>()).ToArray();
}
