using System.Collections;

namespace TypedSocketIo.Server;

/// <summary>
/// A set of strings (ordinal) for the adapter's tables: the rooms of a socket and the members of a
/// room. Most hold one string (a socket's own room, the room named after it) or a handful, so the
/// set keeps one string, then an array, and becomes a <see cref="HashSet{T}"/> only past
/// <see cref="ArrayLimit"/> members: a socket's two sets cost about 80 bytes instead of 450.
/// Members enumerate in the order they were added while the set is an array (as a JavaScript Set).
/// Not thread-safe: the adapter's lock guards it.
/// </summary>
internal sealed class RoomSet : IEnumerable<string>
{
    /// <summary>The most members kept in an array, searched one by one.</summary>
    internal const int ArrayLimit = 8;

    // null (empty), a string (one member), a string[] (_count members) or a HashSet<string>.
    private object? _items;
    private int _count;

    public int Count => _count;

    public bool Add(string item)
    {
        switch (_items)
        {
            case null:
                _items = item;
                _count = 1;
                return true;
            case string one:
                if (string.Equals(one, item, StringComparison.Ordinal))
                {
                    return false;
                }

                _items = new[] { one, item, null!, null! };
                _count = 2;
                return true;
            case string[] array:
                if (Array.IndexOf(array, item, 0, _count) >= 0)
                {
                    return false;
                }

                if (_count == array.Length)
                {
                    if (_count >= ArrayLimit)
                    {
                        var set = new HashSet<string>(array, StringComparer.Ordinal) { item };
                        _items = set;
                        _count = set.Count;
                        return true;
                    }

                    Array.Resize(ref array, _count * 2);
                    _items = array;
                }

                array[_count++] = item;
                return true;
            default:
                if (!((HashSet<string>)_items).Add(item))
                {
                    return false;
                }

                _count++;
                return true;
        }
    }

    public bool Remove(string item)
    {
        switch (_items)
        {
            case string one when string.Equals(one, item, StringComparison.Ordinal):
                _items = null;
                _count = 0;
                return true;
            case string[] array:
                int index = Array.IndexOf(array, item, 0, _count);
                if (index < 0)
                {
                    return false;
                }

                // Shift down, not swap: the order of the others stays the order they came in.
                Array.Copy(array, index + 1, array, index, _count - index - 1);
                array[--_count] = null!;
                if (_count == 1)
                {
                    _items = array[0];
                }

                return true;
            case HashSet<string> set:
                if (!set.Remove(item))
                {
                    return false;
                }

                _count--;
                return true;
            default:
                return false;
        }
    }

    public string[] ToArray()
    {
        var result = new string[_count];
        int i = 0;
        foreach (string item in this)
        {
            result[i++] = item;
        }

        return result;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<string> IEnumerable<string>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates without allocating (broadcasts walk a room's members under the adapter's lock).</summary>
    public struct Enumerator : IEnumerator<string>
    {
        private readonly string? _one;
        private readonly string[]? _array;
        private readonly int _count;
        private HashSet<string>.Enumerator _set;
        private readonly bool _isSet;
        private int _index;

        internal Enumerator(RoomSet owner)
        {
            _one = owner._items as string;
            _array = owner._items as string[];
            _count = owner._count;
            _isSet = owner._items is HashSet<string>;
            _set = _isSet ? ((HashSet<string>)owner._items!).GetEnumerator() : default;
            _index = -1;
            Current = null!;
        }

        public string Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_isSet)
            {
                if (_set.MoveNext())
                {
                    Current = _set.Current;
                    return true;
                }

                return false;
            }

            _index++;
            if (_one is not null)
            {
                Current = _one;
                return _index == 0;
            }

            if (_array is not null && _index < _count)
            {
                Current = _array[_index];
                return true;
            }

            return false;
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
