namespace TypedSocketIo.Server.Tests;

/// <summary>The adapter's small set: one string, then an array, then a hash set; a set of strings throughout.</summary>
public sealed class RoomSetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(RoomSet.ArrayLimit)]
    [InlineData(RoomSet.ArrayLimit + 1)]
    [InlineData(40)]
    public void Adds_removes_and_enumerates_like_a_set_at_every_size(int size)
    {
        var set = new RoomSet();
        var expected = new List<string>();
        for (int i = 0; i < size; i++)
        {
            string item = "room" + i;
            Assert.True(set.Add(item));
            Assert.False(set.Add(new string(item.AsSpan()))); // equal, not the same instance
            expected.Add(item);
        }

        Assert.Equal(size, set.Count);
        Assert.Equal(expected.Order(), set.Order());
        Assert.Equal(expected.Order(), set.ToArray().Order());
        Assert.All(expected, item => Assert.Contains(item, set));
        Assert.DoesNotContain("ROOM0", set); // ordinal
        Assert.False(set.Remove("missing"));

        // Remove from the middle, then everything; the set stays usable.
        string middle = expected[size / 2];
        Assert.True(set.Remove(middle));
        Assert.False(set.Remove(middle));
        Assert.DoesNotContain(middle, set);
        expected.Remove(middle);
        Assert.Equal(expected.Order(), set.Order());
        foreach (string item in expected)
        {
            Assert.True(set.Remove(item));
        }

        Assert.Equal(0, set.Count);
        Assert.Empty(set);
        Assert.True(set.Add("again"));
        Assert.Equal(["again"], set.ToArray());
    }

    [Fact]
    public void While_small_it_keeps_the_order_members_came_in_after_a_removal()
    {
        var set = new RoomSet();
        foreach (string item in new[] { "sid", "a", "b", "c" })
        {
            set.Add(item);
        }

        set.Remove("a");
        set.Add("d");

        Assert.Equal(["sid", "b", "c", "d"], set.ToArray());
        set.Remove("b");
        set.Remove("c");
        set.Remove("d");
        Assert.Equal(["sid"], set.ToArray()); // back to one member
        Assert.Contains("sid", set);
    }
}
